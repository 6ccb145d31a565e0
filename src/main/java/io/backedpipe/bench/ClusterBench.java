package io.backedpipe.bench;

import com.typesafe.config.Config;
import io.backedpipe.BackedPipe;
import io.backedpipe.Connection;
import io.backedpipe.PipeSettings;
import io.backedpipe.Reconnector;
import io.backedpipe.ResumePoint;
import io.backedpipe.cluster.ClusterPipeServer;
import io.backedpipe.cluster.LocalCluster;
import io.backedpipe.server.PipeServer;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TransportSettings;
import java.lang.management.MemoryUsage;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Cluster mode against a single server: a stream to a plain {@code PipeServer} (single), one whose
 * links reach the node of a two-node cluster hosting its pipe (direct), and one whose links reach
 * the other node and cross to the host over Artery (forwarded). Rows: one-way throughput, reconnect latency (abort of the client's link to
 * the first byte delivered on the new one), and the heap per idle stream hosted by the cluster.
 * Both nodes and the clients run in this JVM, each in an actor system of its own.
 */
final class ClusterBench {
  private static final int CHUNK = 64 * 1024;
  private static final ByteString PROBE = ByteString.fromString("probe!!!");

  private ClusterBench() {}

  private static void discard(BackedPipe pipe, ActorSystem<?> host) {
    pipe.source().runWith(Sink.ignore(), host);
  }

  /** Where the client's links go. */
  private enum Path {
    SINGLE("single node: PipeServer, not a cluster"),
    DIRECT("cluster, direct: client -> the hosting node"),
    FORWARDED("cluster, forwarded: client -> the other node -> the host");

    final String label;

    Path(String label) {
      this.label = label;
    }
  }

  /** The figures of one path. */
  record Result(String path, Samples gbPerSecond, Samples reconnectMillis) {}

  /** The whole case: both paths and the heap per stream. */
  record Report(List<Result> paths, int idleStreams, double kibPerStream) {}

  /** What the benchmark needs of the cluster: nodes, their servers, and who hosts what. */
  private static final class Setup implements AutoCloseable {
    final LocalCluster cluster;
    final ActorSystem<Void> clients;
    /** A plain single-node server in an actor system of its own: the baseline. */
    final ActorSystem<Void> single;
    final PipeServer plain;
    final List<ClusterPipeServer> servers = new ArrayList<>();
    final Map<UUID, Integer> hosts = new ConcurrentHashMap<>();
    /** What a stream's host does with its pipe, given the host's actor system. */
    final Map<UUID, java.util.function.BiConsumer<BackedPipe, ActorSystem<?>>> handlers =
        new ConcurrentHashMap<>();

    Setup(Config config) throws Exception {
      cluster = LocalCluster.start(2, config, Duration.ofSeconds(30));
      clients = ActorSystem.create(Behaviors.empty(), "bench-cluster-clients", config);
      single = ActorSystem.create(Behaviors.empty(), "bench-cluster-single", config);
      plain = PipeServer.bind(single, "127.0.0.1", 0, (id, pipe) ->
              handlers.getOrDefault(id, ClusterBench::discard).accept(pipe, single))
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      for (int i = 0; i < cluster.size(); i++) {
        ActorSystem<Void> node = cluster.node(i);
        int index = i;
        servers.add(ClusterPipeServer.bind(node, "127.0.0.1", 0, ServerSettings.create(node),
                PipeSettings.create(node), TransportSettings.create(node), Optional.empty(),
                (id, pipe) -> {
                  hosts.put(id, index);
                  handlers.getOrDefault(id, ClusterBench::discard).accept(pipe, node);
                })
            .toCompletableFuture().get(10, TimeUnit.SECONDS));
      }
    }

    InetSocketAddress address(int node) {
      return servers.get(node).address();
    }

    @Override
    public void close() throws Exception {
      for (ActorSystem<Void> system : List.of(clients, single)) {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      }
      cluster.close();
    }
  }

  /**
   * Dials the node {@link #target} names (node 0 until told): the host for the direct path, the
   * other node for the forwarded one. The first link asks to create the stream, later ones only
   * resume it.
   */
  private static final class SteeredReconnector implements Reconnector {
    private final List<TcpReconnector> creating = new ArrayList<>();
    private final List<TcpReconnector> resuming = new ArrayList<>();
    private final AtomicReference<Integer> target = new AtomicReference<>(0);
    /** Set when a link is up; the pipe asks for the next one only after it heard of that. */
    private boolean established;

    SteeredReconnector(Setup setup, UUID id) {
      TransportSettings transport = TransportSettings.create(setup.clients);
      for (int i = 0; i < setup.servers.size(); i++) {
        creating.add(new TcpReconnector(setup.clients, setup.address(i), id, true, transport));
        resuming.add(new TcpReconnector(setup.clients, setup.address(i), id, false, transport));
      }
    }

    void target(int node) {
      target.set(node);
    }

    @Override
    public java.util.concurrent.CompletionStage<Connection> reconnect(ResumePoint local) {
      int node = target.get();
      return (established ? resuming : creating).get(node).reconnect(local)
          .whenComplete((connection, error) -> established |= connection != null);
    }
  }

  /**
   * Runs both paths.
   *
   * @param config the actor systems' configuration (the tuned buffers)
   * @param bytes bytes per throughput run
   * @param runs throughput runs per path
   * @param aborts reconnects per path
   * @param idle streams opened for the heap figure
   * @return the figures
   */
  static Report run(Config config, long bytes, int runs, int aborts, int idle) throws Exception {
    try (Setup setup = new Setup(config)) {
      List<Result> results = new ArrayList<>();
      for (Path path : Path.values()) {
        results.add(path(setup, path, bytes, runs, aborts));
      }
      double kib = heapPerStream(setup, idle);
      return new Report(results, idle, kib);
    }
  }

  private static Result path(Setup setup, Path path, long bytes, int runs, int aborts)
      throws Exception {
    UUID id = UUID.randomUUID();
    AtomicReference<CompletableFuture<Long>> delivered =
        new AtomicReference<>(new CompletableFuture<>());
    AtomicLong received = new AtomicLong();
    AtomicLong goal = new AtomicLong(Long.MAX_VALUE);
    setup.handlers.put(id, (pipe, host) -> pipe.source().runWith(Sink.foreach(chunk -> {
      if (received.addAndGet(chunk.size()) >= goal.get()) {
        delivered.get().complete(System.nanoTime());
      }
    }), host));
    SteeredReconnector steered = new SteeredReconnector(setup, id);
    AbortableReconnector dialer = AbortableReconnector.unwrapped(path == Path.SINGLE
        ? new TcpReconnector(setup.clients, setup.plain.address(), id, true,
            TransportSettings.create(setup.clients))
        : steered);
    BackedPipe client = BackedPipe.of(setup.clients.systemActorOf(
        BackedPipe.create(dialer, PipeSettings.create(setup.clients)),
        "bench-cluster-" + id, org.apache.pekko.actor.typed.Props.empty()), setup.clients);
    SourceQueueWithComplete<ByteString> writes =
        Source.<ByteString>queue(64, OverflowStrategy.backpressure())
            .toMat(client.sink(), Keep.left()).run(setup.clients);
    client.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
    deliver(writes, delivered, received, goal, PROBE); // the host now exists and reads
    if (path != Path.SINGLE) {
      int host = setup.hosts.get(id);
      steered.target(path == Path.FORWARDED ? 1 - host : host);
      dialer.abort(); // from now on every link goes to the chosen node
      deliver(writes, delivered, received, goal, PROBE);
    }
    awaitAcknowledged(client);

    ByteString chunk = ByteString.fromArrayUnsafe(new byte[CHUNK]);
    double[] rates = new double[runs + 1];
    for (int r = 0; r <= runs; r++) { // the first run warms up and is not counted
      delivered.set(new CompletableFuture<>());
      goal.set(received.get() + bytes);
      long start = System.nanoTime();
      // One offer at a time, each waiting for room: the pipe's window is the back pressure.
      Source.repeat(chunk).take(bytes / CHUNK).mapAsync(1, writes::offer)
          .runWith(Sink.ignore(), setup.clients).toCompletableFuture()
          .get(120, TimeUnit.SECONDS);
      long end = delivered.get().get(120, TimeUnit.SECONDS);
      rates[r] = bytes / ((end - start) / 1e9) / 1e9;
      if (r == 0) {
        continue;
      }
      awaitAcknowledged(client);
    }
    double[] reconnects = new double[aborts];
    for (int a = 0; a < aborts; a++) {
      long start = System.nanoTime();
      dialer.abort();
      long end = deliver(writes, delivered, received, goal, PROBE);
      reconnects[a] = (end - start) / 1e6;
      awaitAcknowledged(client);
    }
    writes.complete();
    client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return new Result(path.label, Samples.of(java.util.Arrays.copyOfRange(rates, 1, runs + 1)),
        Samples.of(reconnects));
  }

  /** Writes {@code bytes} and waits until the host's application has it; returns when. */
  private static long deliver(SourceQueueWithComplete<ByteString> writes,
      AtomicReference<CompletableFuture<Long>> delivered, AtomicLong received, AtomicLong goal,
      ByteString bytes) throws Exception {
    delivered.set(new CompletableFuture<>());
    goal.set(received.get() + bytes.size());
    writes.offer(bytes).toCompletableFuture().get(60, TimeUnit.SECONDS);
    return delivered.get().get(60, TimeUnit.SECONDS);
  }

  /** Waits, outside the measured time, until the host has acknowledged every byte. */
  private static void awaitAcknowledged(BackedPipe client) throws Exception {
    RecoveryBench.awaitAcknowledged(client, Duration.ofSeconds(30));
  }

  /**
   * The heap that {@code count} idle connected streams add to the whole JVM (clients, both
   * nodes, half the links forwarded), per stream.
   */
  private static double heapPerStream(Setup setup, int count) throws Exception {
    MemoryUsage before = MemoryBench.heapAfterGc();
    List<BackedPipe> pipes = new ArrayList<>();
    for (int s = 0; s < count; s++) {
      UUID id = UUID.randomUUID();
      SteeredReconnector steered = new SteeredReconnector(setup, id);
      steered.target(s % 2);
      BackedPipe pipe = BackedPipe.of(setup.clients.systemActorOf(
          BackedPipe.create(steered, PipeSettings.create(setup.clients)),
          "bench-idle-" + id, org.apache.pekko.actor.typed.Props.empty()), setup.clients);
      pipe.connect().toCompletableFuture().get(30, TimeUnit.SECONDS);
      pipes.add(pipe);
    }
    MemoryUsage after = MemoryBench.heapAfterGc();
    double kib = (after.getUsed() - before.getUsed()) / 1024.0 / count;
    for (BackedPipe pipe : pipes) {
      pipe.close().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    return kib;
  }

  /**
   * The report's section.
   *
   * @param report the figures
   * @return markdown
   */
  static String table(Report report) {
    StringBuilder out = new StringBuilder();
    out.append("| path | one-way GB/s, median (min-max) | reconnect p50 ms | p99 ms | max ms"
        + " |\n|---|--:|--:|--:|--:|\n");
    for (Result r : report.paths()) {
      out.append(String.format(Locale.ROOT, "| %s | %.2f (%.2f-%.2f) | %.2f | %.2f | %.2f |%n",
          r.path(), r.gbPerSecond().median(), r.gbPerSecond().min(), r.gbPerSecond().max(),
          r.reconnectMillis().percentile(0.5), r.reconnectMillis().percentile(0.99),
          r.reconnectMillis().max()));
    }
    out.append(String.format(Locale.ROOT, "%nHeap per idle connected stream, the whole JVM"
            + " (client pipe, hosting entity and pipe, half the links forwarded): %.1f KiB over"
            + " %d streams.%n", report.kibPerStream(), report.idleStreams()));
    return out.toString();
  }
}
