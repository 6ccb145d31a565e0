package io.backedpipe.cli;

import io.backedpipe.chaos.ChaosProxy;
import io.backedpipe.chaos.ChaosStats;
import io.backedpipe.tunnel.ConnectTunnel;
import io.backedpipe.tunnel.ServeTunnel;
import io.backedpipe.tunnel.TunnelEvent;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;

/**
 * The demo, in one process and over real TCP on loopback: an echo target, {@code serve} in front
 * of it, a {@link ChaosProxy} that keeps resetting, closing and now and then blackholing the link,
 * {@code connect} dialing the server through the proxy, and several client connections that
 * stream seeded data through {@code connect} and check every byte that comes back. Ends with a
 * verdict; passes only when every byte of every stream matched. With more than one node,
 * {@code serve} is a cluster of that many nodes ({@link DemoCluster}) and the proxy sends each new
 * link to one of them at random.
 */
final class TunnelDemo {
  /** The server side of the demo: one {@code serve}, or the nodes of a clustered one. */
  interface Servers {
    /**
     * Where clients reach the servers.
     *
     * @return one address per server
     */
    List<InetSocketAddress> addresses();

    /**
     * What the servers' streams went through, all servers together.
     *
     * @return the counts
     */
    CompletionStage<EventTally.Counts> counts();

    /**
     * Notes what the servers hold now, for the report; called at every progress line.
     *
     * @throws Exception if asking fails
     */
    void sample() throws Exception;

    /**
     * Prints a line per server, under the verdict.
     *
     * @param out where to print
     * @param linksPerTarget how many links the proxy sent to each server
     * @throws Exception if asking fails
     */
    void report(PrintWriter out, Map<InetSocketAddress, Long> linksPerTarget) throws Exception;

    /** Stops the servers. */
    void stop();
  }

  /** One {@code serve} in the demo's own actor system: what the demo always had. */
  private record SingleServe(ServeTunnel serve, ActorRef<EventTally.Command> tally,
      ActorSystem<?> system) implements Servers {
    @Override
    public List<InetSocketAddress> addresses() {
      return List.of(serve.address());
    }

    @Override
    public CompletionStage<EventTally.Counts> counts() {
      return AskPattern.ask(tally, EventTally.Get::new, ASK, system.scheduler());
    }

    @Override
    public void sample() {}

    @Override
    public void report(PrintWriter out, Map<InetSocketAddress, Long> linksPerTarget) {}

    @Override
    public void stop() {
      serve.stop();
    }
  }

  private static final double MB = 1_000_000.0;
  private static final Duration ASK = Duration.ofSeconds(5);
  private static final InetSocketAddress LOOPBACK_ANY = new InetSocketAddress("127.0.0.1", 0);

  private final ActorSystem<?> system;
  private final DemoSettings demo;
  private final PrintWriter out;
  private final boolean terminal;
  private final int nodes;

  TunnelDemo(ActorSystem<?> system, DemoSettings demo, PrintWriter out, boolean terminal) {
    this(system, demo, out, terminal, 1);
  }

  /**
   * A demo whose {@code serve} is a cluster of {@code nodes} nodes when more than one.
   *
   * @param system the demo's actor system (target, proxy, connect, clients)
   * @param demo the settings
   * @param out where the progress and verdict go
   * @param terminal whether progress overwrites its line
   * @param nodes how many serve nodes; 1 for a single server in {@code system}
   */
  TunnelDemo(ActorSystem<?> system, DemoSettings demo, PrintWriter out, boolean terminal,
      int nodes) {
    this.system = system;
    this.demo = demo;
    this.out = out;
    this.terminal = terminal;
    this.nodes = nodes;
  }

  /**
   * Runs the demo.
   *
   * @return whether every byte of every stream came back as sent
   * @throws Exception if a part cannot start
   */
  boolean run() throws Exception {
    Tcp.ServerBinding echo = get(Tcp.get(system).bind("127.0.0.1", 0, 100, List.of(), true,
            Optional.empty())
        .to(Sink.foreach(c -> c.handleWith(Flow.create(), system)))
        .run(system));
    try {
      Servers servers = startServers(echo.localAddress());
      try {
        return runThrough(servers);
      } finally {
        servers.stop();
      }
    } finally {
      echo.unbind();
    }
  }

  /** Streams through connect, the proxy and the servers, and gives the verdict. */
  private boolean runThrough(Servers servers) throws Exception {
    ActorRef<EventTally.Command> clientTally = spawnTally("connect");
    ChaosProxy proxy = get(ChaosProxy.start(system, LOOPBACK_ANY, servers.addresses(),
        demo.chaos()));
    ConnectTunnel connect = get(ConnectTunnel.start(system, LOOPBACK_ANY, proxy.address(),
        Optional.of(listener(clientTally))));

    long chunks = demo.chunksPerStream();
    out.printf(Locale.ROOT, "backed-pipe demo: %d streams echo %s through connect -> chaos proxy"
            + " -> serve%s -> echo%n  faults every ~%d ms (reset or close; %.0f%% blackholes of"
            + " %d-%d ms), seed %d%n", demo.streams(),
        size(chunks * demo.chunkBytes() * demo.streams()),
        nodes > 1 ? " (" + nodes + " cluster nodes, each link to one at random)" : "",
        demo.faultInterval().toMillis(),
        demo.blackholeChance() * 100, demo.blackholeMin().toMillis(),
        demo.blackholeMax().toMillis(), demo.seed());
    out.flush();
    long start = System.nanoTime();
    List<DemoStream> streams = new ArrayList<>();
    for (int i = 0; i < demo.streams(); i++) {
      streams.add(DemoStream.start(i, chunks, demo.chunkBytes(), demo.seed() + i,
          connect.address(), system));
    }
    CompletableFuture<Void> all = CompletableFuture.allOf(streams.stream()
        .map(s -> s.done().toCompletableFuture().exceptionally(e -> null))
        .toArray(CompletableFuture[]::new));
    boolean finished = awaitWithProgress(all, streams, start, proxy, clientTally, servers);
    double seconds = (System.nanoTime() - start) / 1e9;
    boolean passed = verdict(finished, streams, seconds, get(proxy.stats()),
        get(counts(clientTally)), get(servers.counts()));
    servers.report(out, proxy.linksPerTarget());
    connect.stop();
    proxy.stop();
    return passed;
  }

  private Servers startServers(InetSocketAddress target) throws Exception {
    if (nodes == 1) {
      ActorRef<EventTally.Command> serverTally = spawnTally("serve");
      return new SingleServe(get(ServeTunnel.start(system, LOOPBACK_ANY, target,
          Optional.of(listener(serverTally)))), serverTally, system);
    }
    DemoCluster cluster = DemoCluster.start(nodes, system.settings().config(), target);
    out.println("cluster of " + nodes + " nodes up: " + String.join(", ",
        cluster.clusterAddresses()));
    out.flush();
    return cluster;
  }

  private boolean awaitWithProgress(CompletableFuture<Void> all, List<DemoStream> streams,
      long start, ChaosProxy proxy, ActorRef<EventTally.Command> clientTally, Servers servers)
      throws Exception {
    long deadline = start + demo.timeLimit().toNanos();
    long expected = streams.stream().mapToLong(DemoStream::expected).sum();
    while (System.nanoTime() < deadline) {
      try {
        all.get(demo.progressInterval().toMillis(), TimeUnit.MILLISECONDS);
        if (terminal) {
          out.println();
        }
        return true;
      } catch (TimeoutException stillRunning) {
        servers.sample();
        double seconds = (System.nanoTime() - start) / 1e9;
        long received = streams.stream().mapToLong(DemoStream::received).sum();
        EventTally.Counts counts = get(counts(clientTally));
        String line = String.format(Locale.ROOT,
            "%6.1fs  checked %s of %s  %7.1f MB/s  faults %d  reconnects %d  replayed %s",
            seconds, size(received), size(expected), received / MB / seconds,
            get(proxy.stats()).faults(), counts.resumed(), size(counts.replayedBytes()));
        out.print(terminal ? "\r" + line + "   " : line + System.lineSeparator());
        out.flush();
      }
    }
    out.println();
    out.println("time limit reached: " + demo.timeLimit());
    return false;
  }

  private boolean verdict(boolean finished, List<DemoStream> streams, double seconds,
      ChaosStats faults, EventTally.Counts client, EventTally.Counts server) {
    long expected = 0;
    long checked = 0;
    long lost = 0;
    long duplicated = 0;
    List<String> problems = new ArrayList<>();
    for (DemoStream s : streams) {
      expected += s.expected();
      checked += s.received();
      lost += Math.max(0, s.expected() - s.received());
      duplicated += Math.max(0, s.received() - s.expected());
      if (s.firstMismatch() >= 0) {
        problems.add("stream " + s.index() + ": first wrong byte at " + s.firstMismatch());
      }
      s.done().toCompletableFuture().exceptionally(e -> {
        problems.add("stream " + s.index() + " failed: " + Main.message(e));
        return null;
      });
    }
    boolean passed = finished && lost == 0 && duplicated == 0 && problems.isEmpty();
    out.printf(Locale.ROOT, "verdict: %s%n", passed ? "PASS" : "FAIL");
    problems.forEach(p -> out.println("  " + p));
    out.printf(Locale.ROOT, "  streams          %d%n", streams.size());
    out.printf(Locale.ROOT, "  bytes checked    %d (%s) of %d sent%n", checked, size(checked),
        expected);
    out.printf(Locale.ROOT, "  lost             %d%n", lost);
    out.printf(Locale.ROOT, "  duplicated       %d%n", duplicated);
    out.printf(Locale.ROOT, "  corrupted        %d streams%n",
        streams.stream().filter(s -> s.firstMismatch() >= 0).count());
    out.printf(Locale.ROOT, "  faults injected  %d (%d resets, %d closes, %d blackholes) over %d"
            + " connections%n", faults.faults(), faults.resets(), faults.closes(),
        faults.blackholes(), faults.connections());
    out.printf(Locale.ROOT, "  reconnects       %d (links lost %d); replayed %s to the server,"
            + " %s to the client%n", client.resumed(), client.linksLost(),
        size(client.replayedBytes()), size(server.replayedBytes()));
    out.printf(Locale.ROOT, "  throughput       %.1f MB/s echoed (%.1f s)%n",
        checked / MB / seconds, seconds);
    out.flush();
    return passed;
  }

  private ActorRef<EventTally.Command> spawnTally(String side) {
    return system.systemActorOf(EventTally.create(), "demo-tally-" + side + "-" + UUID.randomUUID(),
        Props.empty());
  }

  private ActorRef<TunnelEvent> listener(ActorRef<EventTally.Command> tally) {
    return system.systemActorOf(EventTally.adapter(tally), "demo-events-" + UUID.randomUUID(),
        Props.empty());
  }

  private CompletionStage<EventTally.Counts> counts(ActorRef<EventTally.Command> tally) {
    return AskPattern.ask(tally, EventTally.Get::new, ASK, system.scheduler());
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  static String size(long bytes) {
    return bytes >= 1 << 20
        ? String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20))
        : String.format(Locale.ROOT, "%d KiB", bytes >> 10);
  }
}
