package io.backedpipe.cli;

import io.backedpipe.BackedPipe;
import io.backedpipe.DisconnectCause;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.PipeStatus;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.hostile.HostileInput;
import io.backedpipe.hostile.HostileOutcome;
import io.backedpipe.hostile.HostileReport;
import io.backedpipe.hostile.HostileRun;
import io.backedpipe.server.PipeRegistry;
import io.backedpipe.server.PipeServer;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.transport.SharedSecret;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TransportSettings;
import java.io.PrintWriter;
import java.lang.management.ManagementFactory;
import java.time.Duration;
import java.util.Locale;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The hostile-input soak: {@link HostileRun}'s generated cases against an in-process server that
 * also hosts a real client echoing seeded data. Passes when no case left its connection open, the
 * real client's echo matched byte for byte, its pipe was never taken over or closed, and the
 * server got back to the real pipe alone once the grace period passed.
 */
final class HostileSoak {
  /** Short, so a stalled case ends fast and the run's own streams are soon reaped. */
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(1);
  private static final Duration GRACE = Duration.ofSeconds(5);
  private static final int CHUNK = 4096;

  private final ActorSystem<?> system;
  private final PrintWriter out;

  HostileSoak(ActorSystem<?> system, PrintWriter out) {
    this.system = system;
    this.out = out;
  }

  /**
   * Runs the cases and prints the report.
   *
   * @param cases how many
   * @param seed their seed
   * @param concurrency connections at once
   * @param secret when present, the server requires it and valid handshakes prove it
   * @return whether it passed
   * @throws Exception if the server cannot start
   */
  boolean run(int cases, long seed, int concurrency, Optional<SharedSecret> secret)
      throws Exception {
    TransportSettings plain = TransportSettings.create(system)
        .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(2))
        .withHandshakeTimeout(HANDSHAKE_TIMEOUT);
    TransportSettings transport = secret.map(plain::withSecret).orElse(plain);
    PipeSettings settings = PipeSettings.create(system).withWindowBytes(1024 * 1024)
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(100)));
    UUID realId = UUID.randomUUID();
    AtomicInteger realServerEvents = new AtomicInteger();
    CompletableFuture<BackedPipe> serverSide = new CompletableFuture<>();
    PipeServer server = get(PipeServer.bind(system, "127.0.0.1", 0,
        // Every case comes from this host's one address: the per-address caps, which would
        // close most of them before their first byte, are lifted so that the input is tested.
        ServerSettings.create(system).withGrace(GRACE)
            .withMaxHandshakes(10_000, 10_000).withCreateRate(1e9, 1_000_000),
        settings, transport, (id, pipe) -> {
          if (id.equals(realId)) {
            pipe.subscribe(system.systemActorOf(Behaviors.<PipeEvent>receiveMessage(e -> {
              if (e instanceof PipeEvent.Closed || e instanceof PipeEvent.Disconnected d
                  && d.cause() == DisconnectCause.TAKEN_OVER) {
                realServerEvents.incrementAndGet();
              }
              return Behaviors.same();
            }), "hostile-real-events", Props.empty()));
            serverSide.complete(pipe);
          }
          pipe.source().runWith(pipe.sink(), system); // every pipe echoes
        }));
    BackedPipe client = BackedPipe.of(system.systemActorOf(BackedPipe.create(
        new TcpReconnector(system, server.address(), realId, true, transport), settings),
        "hostile-real-client", Props.empty()), system);
    get(client.connect());
    BackedPipe serverPipe = serverSide.get(10, TimeUnit.SECONDS);

    CompletableFuture<Void> stop = new CompletableFuture<>();
    AtomicLong sent = new AtomicLong();
    AtomicLong received = new AtomicLong();
    StreamChecker checker = new StreamChecker(new SeededBytes(seed, CHUNK));
    client.source().runWith(Sink.foreach(bytes -> {
      checker.accept(bytes);
      received.addAndGet(bytes.size());
    }), system);
    SeededBytes.source(seed, CHUNK)
        .takeWhile(chunk -> !stop.isDone())
        .map(chunk -> {
          sent.addAndGet(chunk.size());
          return chunk;
        })
        .throttle(200, Duration.ofSeconds(1))
        .concat(Source.never())
        .runWith(client.sink(), system);

    AtomicInteger mostPipes = new AtomicInteger();
    Source.tick(Duration.ZERO, Duration.ofSeconds(1), "tick").takeWhile(t -> !stop.isDone())
        .mapAsync(1, t -> pipes(server))
        .runWith(Sink.foreach(n -> mostPipes.accumulateAndGet(n, Math::max)), system);
    long heapBefore = retainedHeap();
    out.printf(Locale.ROOT, "backed-pipe hostile: %d cases (seed %d, %d at once) against a server"
        + "%s hosting a real echo client%n", cases, seed, concurrency,
        secret.isPresent() ? " with a shared secret" : "");
    out.flush();
    HostileReport report = HostileRun.run(server.address(),
        new HostileInput(seed, Optional.of(realId), io.backedpipe.wire.FrameCodec.MAX_DATA_BYTES), cases,
        Duration.ofSeconds(6), concurrency, (hello, nonce) -> secret
            .map(s -> s.proof(nonce, hello)).orElse(hello.proof()));
    stop.complete(null);
    boolean echoed = Polling.until(() -> received.get() >= sent.get(), Duration.ofSeconds(30));
    boolean reaped = Polling.until(() -> get(pipes(server)) <= 1, GRACE.multipliedBy(4));
    long heapAfter = retainedHeap();
    PipeStatus real = get(client.status());
    boolean passed = report.count(HostileOutcome.FAILED) == 0 && echoed
        && checker.firstMismatch() < 0 && realServerEvents.get() == 0 && reaped
        && real.reconnectCount() == 0;
    out.print(report.summary());
    out.printf(Locale.ROOT, "real client: sent %d bytes, echoed and checked %d, first wrong byte"
            + " %d, reconnects %d, state %s; its server pipe taken over or closed: %d times%n",
        sent.get(), received.get(), checker.firstMismatch(), real.reconnectCount(), real.state(),
        realServerEvents.get());
    out.printf(Locale.ROOT, "pipes hosted: at most %d, %d after the grace period; heap retained"
            + " %d MiB before, %d MiB after; %d cases/s%n", mostPipes.get(), get(pipes(server)),
        heapBefore >> 20, heapAfter >> 20,
        report.cases() * 1000 / Math.max(1, report.duration().toMillis()));
    out.printf("verdict: %s%n", passed ? "PASS" : "FAIL");
    out.flush();
    get(serverPipe.status()); // still answering
    server.unbind();
    return passed;
  }

  /** What is still referenced after a full collection: a soak figure, not a test. */
  private static long retainedHeap() {
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private CompletionStage<Integer> pipes(PipeServer server) {
    return AskPattern.ask(server.registry(), PipeRegistry.CountPipes::new, Duration.ofSeconds(5),
        system.scheduler());
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
