package io.backedpipe.cli;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.PipeState;
import io.backedpipe.PipeStatus;
import io.backedpipe.chaos.ChaosProxy;
import io.backedpipe.chaos.ChaosStats;
import io.backedpipe.server.PipeServer;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TransportSettings;
import io.backedpipe.tunnel.TunnelEvent;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The soak: many pipes over TCP through a {@link ChaosProxy} that breaks their connections as its
 * {@link SoakProfile} says (every kind of fault on a fast link, or a slow, long, lossy mobile link),
 * each pipe writing seeded data both ways at once for the given time and then ending cleanly;
 * some read slowly. It checks every byte in both directions, polls every pipe's status to check
 * that neither end ever holds more than its window unacknowledged or its read buffer unread, and
 * reports faults, bytes, losses, duplicates and reconnects. It passes only if every byte matched,
 * no bound was exceeded, and every pipe completed cleanly.
 */
final class Soak {
  private static final double MB = 1_000_000.0;
  private static final Duration POLL = Duration.ofMillis(100);

  /** One pipe, both ends and both directions. */
  private record SoakPipe(int index, BackedPipe client, BackedPipe server, SoakDirection up,
      SoakDirection down) {}

  /**
   * The verdict's figures.
   *
   * @param passed whether everything matched
   * @param faults what the proxy did
   * @param checked bytes checked, both directions
   * @param lost bytes sent and never received
   * @param duplicated bytes received beyond those sent
   * @param reconnects connections that resumed a stream
   * @param maxUnacked the most unacknowledged bytes any end held
   * @param maxUnread the most received but unread bytes any end held
   */
  record Result(boolean passed, ChaosStats faults, long checked, long lost, long duplicated,
      long reconnects, long maxUnacked, long maxUnread) {}

  private final ActorSystem<?> system;
  private final SoakPlan plan;
  private final PrintWriter out;
  private final PipeSettings settings;
  private final TransportSettings transport;
  private long maxUnacked;
  private long maxUnread;
  private final List<String> problems = new ArrayList<>();

  Soak(ActorSystem<?> system, SoakPlan plan, PrintWriter out) {
    this.system = system;
    this.plan = plan;
    this.out = out;
    this.settings = PipeSettings.create(system);
    this.transport = TransportSettings.create(system);
  }

  /**
   * Runs the soak and prints its report.
   *
   * @return the figures
   * @throws Exception if a part cannot start
   */
  Result run() throws Exception {
    Map<UUID, CompletableFuture<BackedPipe>> serverPipes = new ConcurrentHashMap<>();
    ServerSettings serverSettings = ServerSettings.create(system)
        .withMaxPipes(Math.max(plan.pipes(), ServerSettings.create(system).maxPipes()));
    PipeServer server = get(PipeServer.bind(system, "127.0.0.1", 0, serverSettings, settings,
        transport, (id, pipe) -> serverPipes.computeIfAbsent(id, k -> new CompletableFuture<>())
            .complete(pipe)));
    ChaosProxy proxy = get(ChaosProxy.start(system, new InetSocketAddress("127.0.0.1", 0),
        server.address(), plan.profile().schedule(plan.faultInterval(), plan.seed())));
    ActorRef<EventTally.Command> tally = system.systemActorOf(EventTally.create(),
        "soak-tally-" + UUID.randomUUID(), Props.empty());
    out.printf(Locale.ROOT, "backed-pipe soak (%s): %d pipes (%d slow readers) write both ways"
            + " for %s%s through %s (seed %d)%n",
        plan.profile().name().toLowerCase(Locale.ROOT), plan.pipes(), plan.slowReaders(),
        plan.duration(), plan.writeBytesPerSecond() == 0 ? ""
            : " at " + plan.writeBytesPerSecond() + " B/s each",
        plan.profile().describe(plan.faultInterval()), plan.seed());
    out.flush();

    long start = System.nanoTime();
    long deadline = start + plan.duration().toNanos();
    List<CompletableFuture<SoakPipe>> starting = new ArrayList<>();
    for (int i = 0; i < plan.pipes(); i++) {
      UUID id = new UUID(plan.seed(), i);
      CompletableFuture<BackedPipe> serverPipe =
          serverPipes.computeIfAbsent(id, k -> new CompletableFuture<>());
      BackedPipe client = client(id, proxy.address(), tally);
      int index = i;
      long slow = i < plan.slowReaders() ? plan.slowReaderBytesPerSecond() : 0;
      starting.add(serverPipe.thenApply(serverEnd -> new SoakPipe(index, client, serverEnd,
          SoakDirection.start(system, client, serverEnd, plan.seed() * 31 + 2 * index,
              plan.chunkBytes(), deadline, plan.writeBytesPerSecond(), slow),
          SoakDirection.start(system, serverEnd, client, plan.seed() * 31 + 2 * index + 1,
              plan.chunkBytes(), deadline, plan.writeBytesPerSecond(), slow))));
    }
    List<SoakPipe> pipes = new ArrayList<>();
    for (CompletableFuture<SoakPipe> pipe : starting) {
      pipes.add(pipe.get(30, TimeUnit.SECONDS));
    }
    boolean finished = awaitWithProgress(pipes, start, deadline, proxy, tally);
    awaitClosed(pipes);
    double seconds = (System.nanoTime() - start) / 1e9;
    Result result = report(finished, pipes, get(proxy.stats()), get(counts(tally)), seconds);
    proxy.stop();
    server.unbind();
    return result;
  }

  private BackedPipe client(UUID id, InetSocketAddress proxy,
      ActorRef<EventTally.Command> tally) {
    TcpReconnector dialer = new TcpReconnector(system, proxy, id, true, transport);
    BackedPipe client = BackedPipe.of(system.systemActorOf(BackedPipe.create(dialer, settings),
        "soak-client-" + id, Props.empty()), system);
    client.subscribe(system.systemActorOf(Behaviors.<PipeEvent>receiveMessage(event -> {
      tally.tell(new EventTally.Seen(new TunnelEvent(id, event)));
      return Behaviors.same();
    }), "soak-events-" + id, Props.empty()));
    client.connect(); // the policy retries by itself while the proxy is hostile
    return client;
  }

  private boolean awaitWithProgress(List<SoakPipe> pipes, long start, long deadline,
      ChaosProxy proxy, ActorRef<EventTally.Command> tally) throws Exception {
    CompletableFuture<Void> all = CompletableFuture.allOf(pipes.stream()
        .flatMap(p -> java.util.stream.Stream.of(p.up().read(), p.down().read()))
        .map(s -> s.toCompletableFuture().exceptionally(e -> null))
        .toArray(CompletableFuture[]::new));
    long limit = deadline + plan.timeLimit().toNanos();
    long nextLine = start + Duration.ofSeconds(1).toNanos();
    while (System.nanoTime() < limit) {
      try {
        all.get(POLL.toMillis(), TimeUnit.MILLISECONDS);
        return true;
      } catch (TimeoutException stillRunning) {
        checkBounds(pipes);
        if (System.nanoTime() >= nextLine) {
          nextLine += Duration.ofSeconds(1).toNanos();
          double seconds = (System.nanoTime() - start) / 1e9;
          long checked = pipes.stream()
              .mapToLong(p -> p.up().received() + p.down().received()).sum();
          out.printf(Locale.ROOT, "%6.1fs  checked %s  %s  faults %d  reconnects %d%n",
              seconds, TunnelDemo.size(checked), rate(checked / seconds),
              get(proxy.stats()).faults(), get(counts(tally)).resumed());
          out.flush();
        }
      }
    }
    problems.add("time limit reached: " + plan.timeLimit() + " after the writing ended");
    return false;
  }

  /** Neither end may hold more than its window unacknowledged, or its read buffer unread. */
  private void checkBounds(List<SoakPipe> pipes) throws Exception {
    for (SoakPipe pipe : pipes) {
      for (BackedPipe end : List.of(pipe.client(), pipe.server())) {
        PipeStatus status = status(end);
        if (status == null) {
          continue; // a server pipe the registry stopped after it closed cleanly
        }
        long unacked = status.writePosition() - status.ackedPosition();
        long unread = status.receivedPosition() - status.readPosition();
        maxUnacked = Math.max(maxUnacked, unacked);
        maxUnread = Math.max(maxUnread, unread);
        if (unacked > settings.windowBytes() || unread > settings.readBufferBytes()) {
          problems.add("pipe " + pipe.index() + ": unacked=" + unacked + " unread=" + unread
              + " beyond window=" + settings.windowBytes() + " readBuffer="
              + settings.readBufferBytes());
        }
      }
    }
  }

  /** The clean end: both ends close COMPLETED once both directions ended and were acknowledged. */
  private void awaitClosed(List<SoakPipe> pipes) throws Exception {
    long limit = System.nanoTime() + plan.timeLimit().toNanos(); // a loss may last 30 s
    for (SoakPipe pipe : pipes) {
      for (BackedPipe end : List.of(pipe.client(), pipe.server())) {
        Duration left = Duration.ofNanos(Math.max(0, limit - System.nanoTime()));
        if (!Polling.until(() -> closedOrGone(end), left)) {
          problems.add("pipe " + pipe.index() + " did not close: "
              + java.util.Optional.ofNullable(status(end)).map(PipeStatus::state).orElse(null));
        }
      }
    }
  }

  private static boolean closedOrGone(BackedPipe end) throws Exception {
    PipeStatus status = status(end);
    return status == null || status.state() == PipeState.CLOSED;
  }


  private Result report(boolean finished, List<SoakPipe> pipes, ChaosStats faults,
      EventTally.Counts counts, double seconds) {
    long checked = 0;
    long lost = 0;
    long duplicated = 0;
    for (SoakPipe pipe : pipes) {
      for (SoakDirection d : List.of(pipe.up(), pipe.down())) {
        checked += d.received();
        lost += Math.max(0, d.sent() - d.received());
        duplicated += Math.max(0, d.received() - d.sent());
        if (d.firstMismatch() >= 0) {
          problems.add("pipe " + pipe.index() + ": first wrong byte at " + d.firstMismatch());
        }
        d.read().toCompletableFuture().exceptionally(e -> {
          problems.add("pipe " + pipe.index() + " read failed: " + Main.message(e));
          return null;
        });
        d.written().toCompletableFuture().exceptionally(e -> {
          problems.add("pipe " + pipe.index() + " write failed: " + Main.message(e));
          return null;
        });
      }
    }
    boolean passed = finished && lost == 0 && duplicated == 0 && problems.isEmpty();
    out.printf(Locale.ROOT, "verdict: %s%n", passed ? "PASS" : "FAIL");
    problems.stream().limit(20).forEach(p -> out.println("  " + p));
    out.printf(Locale.ROOT, "  pipes            %d (%d slow readers), both directions%n",
        pipes.size(), plan.slowReaders());
    out.printf(Locale.ROOT, "  faults injected  %d: %d resets, %d closes, %d blackholes,"
            + " %d stalls, %d delays, %d bandwidth limits, %d cuts (over %d connections)%n",
        faults.faults(), faults.resets(), faults.closes(), faults.blackholes(), faults.stalls(),
        faults.delays(), faults.limits(), faults.cuts(), faults.connections());
    out.printf(Locale.ROOT, "  bytes checked    %d (%s)%n", checked, TunnelDemo.size(checked));
    out.printf(Locale.ROOT, "  lost             %d%n", lost);
    out.printf(Locale.ROOT, "  duplicated       %d%n", duplicated);
    out.printf(Locale.ROOT, "  reconnects       %d (links lost %d)%n", counts.resumed(),
        counts.linksLost());
    out.printf(Locale.ROOT, "  window bound     max unacknowledged %d of %d, max unread %d of %d"
            + "%n", maxUnacked, settings.windowBytes(), maxUnread, settings.readBufferBytes());
    out.printf(Locale.ROOT, "  duration         %.1f s, %s checked%n", seconds,
        rate(checked / seconds));
    out.flush();
    return new Result(passed, faults, checked, lost, duplicated, counts.resumed(), maxUnacked,
        maxUnread);
  }

  /** MB/s on a fast link, KB/s on a slow one (where MB/s would read 0.0). */
  private static String rate(double bytesPerSecond) {
    return bytesPerSecond >= MB ? String.format(Locale.ROOT, "%7.1f MB/s", bytesPerSecond / MB)
        : String.format(Locale.ROOT, "%7.1f KB/s", bytesPerSecond / 1000);
  }

  private CompletionStage<EventTally.Counts> counts(ActorRef<EventTally.Command> tally) {
    return AskPattern.ask(tally, EventTally.Get::new, Duration.ofSeconds(5), system.scheduler());
  }

  /**
   * The pipe's status, or null once its actor stopped: the server's registry stops a pipe two
   * seconds after it closed.
   */
  private static PipeStatus status(BackedPipe end) throws Exception {
    return get(end.status().handle((status, error) -> status));
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
