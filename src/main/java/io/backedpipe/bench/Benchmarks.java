package io.backedpipe.bench;

import io.backedpipe.PipeSettings;
import io.backedpipe.transport.TransportSettings;
import java.nio.file.Files;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.ToLongFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The benchmark harness of the project, in one process run: throughput of plain sockets, plain
 * Pekko TCP and backed pipes on loopback (side by side, at 64 KiB and 4 KiB writes, with Pekko's
 * default and the tuned TCP buffers), goodput with the link aborted every 100 ms, reconnect
 * latency, the outage of a reset and of a blackhole, the replay of a full window, and heap per idle
 * pipe. Prints a Markdown report and writes it, a CSV of the table and an SVG chart to {@code out}.
 *
 * <pre>
 * java -Xmx1g -cp target/backed-pipe.jar io.backedpipe.bench.Benchmarks            # a few minutes
 * java -Xmx1g -cp target/backed-pipe.jar io.backedpipe.bench.Benchmarks quick=true # seconds
 * </pre>
 *
 * <p>Arguments are {@code key=value}; see {@link BenchOptions} for every key and its default.
 */
public final class Benchmarks {
  /** What each pipe of the after-traffic heap measurement carries each way before going idle. */
  private static final int TRAFFIC_BYTES = 1 << 20;
  /** The long link's delay each way, and how many new streams each path opens across it. */
  private static final Duration LONG_LINK_ONE_WAY = Duration.ofMillis(25);
  private static final int LONG_LINK_STREAMS = 40;

  /** The heartbeat of the outage case, short so a blackhole is found in about a second. */
  static final Duration OUTAGE_HEARTBEAT_INTERVAL = Duration.ofMillis(200);
  static final Duration OUTAGE_HEARTBEAT_TIMEOUT = Duration.ofSeconds(1);

  private final BenchOptions options;
  private final Report report = new Report();
  private final List<String> targets = new ArrayList<>();
  private boolean passed = true;

  private Benchmarks(BenchOptions options) {
    this.options = options;
  }

  /**
   * Runs the harness; exits with 1 if a check failed (bytes not identical, a run failed).
   *
   * @param args {@code key=value} options, see {@link BenchOptions}
   * @throws Exception if the harness cannot run
   */
  public static void main(String[] args) throws Exception {
    BenchOptions options = BenchOptions.parse(args);
    boolean passed = new Benchmarks(options).run();
    System.exit(passed ? 0 : 1);
  }

  private boolean run() throws Exception {
    long start = System.nanoTime();
    Files.createDirectories(options.out());
    PekkoTuning tuned = new PekkoTuning("tuned", options.writeBufferBytes(),
        options.directBufferBytes(), options.dispatcherMinThreads());
    report.line("# backed-pipe benchmarks");
    report.line("");
    report.line(Machine.describe());
    report.line("");
    report.line(String.format(Locale.ROOT, "Pekko settings: default = %s; tuned = %s. %s per"
            + " one-way run after a warm-up of %s, %d runs per case (median, min, max); loopback,"
            + " TCP_NODELAY on, one JVM for both ends.", PekkoTuning.PEKKO_DEFAULT.describe(),
        tuned.describe(), gib(options.bytesPerRun()), gib(options.warmUpBytes()),
        options.runs()));
    report.line("");
    ThroughputSuite throughput = new ThroughputSuite(options, report);
    List<ResultRow> rows = new ArrayList<>();
    if (options.runs("throughput")) {
      rows.addAll(throughput.sockets());
    }
    List<PekkoTuning> sets = switch (options.settings()) {
      case "tuned" -> List.of(tuned);
      case "default" -> List.of(PekkoTuning.PEKKO_DEFAULT);
      // Tuned first: its system also runs the other cases, and the JIT is warm by the second.
      default -> List.of(tuned, PekkoTuning.PEKKO_DEFAULT);
    };
    for (PekkoTuning buffers : sets) {
      if (!options.runs("throughput") && !(options.runs("faults") && buffers == sets.get(0))) {
        continue;
      }
      ActorSystem<Void> system = start(buffers);
      try (PipeHarness harness = PipeHarness.start(system, TransportSettings.create(system))) {
        if (options.runs("throughput")) {
          long warmUp = buffers == sets.get(0) ? options.warmUpBytes()
              : options.bytesPerRun() / 4 / (64 * 1024) * (64 * 1024);
          rows.addAll(throughput.pekkoAndPipe(harness, buffers, warmUp));
        }
        if (buffers == sets.get(0) && options.runs("faults")) {
          rows.addAll(throughput.faults(harness, buffers));
        }
      } finally {
        stop(system);
      }
    }
    printThroughput(rows);
    // The other cases run once, with the first set: the tuned one when both are measured.
    ActorSystem<Void> system = start(sets.get(0));
    try (PipeHarness harness = PipeHarness.start(system, TransportSettings.create(system))) {
      recovery(harness, sets.get(0));
    } finally {
      stop(system);
    }
    if (options.runs("tunnel")) {
      tunnel(sets.get(0));
    }
    if (options.runs("memory")) {
      memory(sets.get(0));
    }
    if (options.runs("cluster")) {
      cluster(sets.get(0));
    }
    if (!targets.isEmpty()) {
      report.line("## Targets");
      report.line("");
      targets.forEach(report::line);
      report.line("");
    }
    report.line(String.format(Locale.ROOT, "Finished in %.0f s; load average now %.2f.",
        (System.nanoTime() - start) / 1e9, Machine.loadAverage()));
    report.writeTo(options.out().resolve("report.md"));
    return passed;
  }

  private static ActorSystem<Void> start(PekkoTuning buffers) {
    return ActorSystem.create(Behaviors.empty(), "bench-" + buffers.name(), buffers.config());
  }

  private static void stop(ActorSystem<Void> system) throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
  }

  private void printThroughput(List<ResultRow> rows) throws Exception {
    if (rows.isEmpty()) {
      return;
    }
    passed &= rows.stream().noneMatch(row -> row.note().contains("identical: NO"));
    report.line("## Throughput (GB/s = 10^9 bytes/s)");
    report.line("");
    report.line(ResultTable.markdown(rows));
    Files.writeString(options.out().resolve("throughput.csv"), ResultTable.csv(rows));
    Optional<String> chart = ThroughputChart.svg(rows);
    if (chart.isPresent()) {
      Files.writeString(options.out().resolve("throughput.svg"), chart.get());
      report.line("Chart: `throughput.svg`; table: `throughput.csv`.");
      report.line("");
    }
    for (ResultRow row : rows) {
      if (row.ratio().isPresent() && row.settings().equals("tuned")) {
        double ratio = row.ratio().getAsDouble();
        boolean faults = row.path().equals(ThroughputSuite.PIPE_FAULTS);
        double goal = faults ? 0.6 : 0.9;
        target(ratio >= goal, String.format(Locale.ROOT, "%s %s: ratio %.2f (target >= %.1f)",
            row.path(), ResultTable.size(row.writeBytes()), ratio, goal));
      }
    }
  }

  private void recovery(PipeHarness harness, PekkoTuning buffers) throws Exception {
    if (options.runs("latency")) {
      long warmUntil = System.nanoTime() + options.latencyWarmUp().toNanos();
      do { // warm-up, not counted: a reconnect's code takes tens of seconds to compile
        RecoveryBench.reconnects(harness, Math.min(50, options.aborts()));
      } while (System.nanoTime() - warmUntil < 0);
      RecoveryBench.Round[] rounds = RecoveryBench.reconnects(harness, options.aborts());
      Samples detected = millis(rounds, RecoveryBench.Round::fromDetected);
      Samples fault = millis(rounds, RecoveryBench.Round::fromFault);
      report.line(String.format(Locale.ROOT, "## Reconnect latency (%d aborts of the client's"
          + " connection, loopback, %s, after %d s of reconnects to warm up)", rounds.length,
          buffers.name(), options.latencyWarmUp().toSeconds()));
      report.line("");
      report.line("| from | to | p50 ms | p90 ms | p99 ms | max ms |");
      report.line("|---|---|--:|--:|--:|--:|");
      report.line(latencyRow("failure detected (Disconnected event)", detected));
      report.line(latencyRow("abort", fault));
      // The floor: the pipe's reconnect is a Pekko TCP connect, a handshake and the replay.
      Samples floor = FloorBench.connectToFirstByte(harness.system(), harness.transport(),
          options.aborts());
      report.line(String.format(Locale.ROOT, "| connect started (plain Pekko TCP, no pipe: the"
              + " floor) | its first byte at the server | %.2f | %.2f | %.2f | %.2f |",
          floor.percentile(0.5), floor.percentile(0.9), floor.percentile(0.99), floor.max()));
      report.line("");
      report.line(String.format(Locale.ROOT, "Each round waits, after its measurement, until the"
          + " server acknowledged the probe, so that the next abort hits a connection that proved"
          + " itself. Attempts that failed (each followed by the policy's backoff): %d.",
          rounds[rounds.length - 1].failedAttempts()));
      report.line("");
      target(detected.percentile(0.5) <= 1 && detected.percentile(0.99) <= 5,
          String.format(Locale.ROOT, "reconnect p50 %.2f / p99 %.2f ms (target <= 1 / 5 ms;"
                  + " a plain Pekko TCP connect to its first byte alone: p50 %.2f / p99 %.2f)",
              detected.percentile(0.5), detected.percentile(0.99), floor.percentile(0.5),
              floor.percentile(0.99)));
    }
    if (options.runs("outage")) {
      TransportSettings shortBeat = harness.transport()
          .withHeartbeat(OUTAGE_HEARTBEAT_INTERVAL, OUTAGE_HEARTBEAT_TIMEOUT);
      try (PipeHarness beating = PipeHarness.start(harness.system(), shortBeat)) {
        Samples reset = millis(RecoveryBench.outages(beating, false, options.outages()),
            RecoveryBench.Round::fromFault);
        Samples blackhole = millis(RecoveryBench.outages(beating, true, options.outages()),
            RecoveryBench.Round::fromFault);
        report.line(String.format(Locale.ROOT, "## Outage through a proxy (heartbeat interval %d"
                + " ms, timeout %d ms)", OUTAGE_HEARTBEAT_INTERVAL.toMillis(),
            OUTAGE_HEARTBEAT_TIMEOUT.toMillis()));
        report.line("");
        report.line("| fault | runs | median ms | min ms | max ms | bounded by |");
        report.line("|---|--:|--:|--:|--:|---|");
        report.line(outageRow("reset (both ends see it fail)", reset,
            "the reconnect: TCP connect and handshake"));
        report.line(outageRow("blackhole (nothing arrives, nothing closes)", blackhole,
            "heartbeat-timeout, plus the reconnect"));
        report.line("");
      }
    }
    if (options.runs("replay")) {
      int window = PipeSettings.create(harness.system()).windowBytes();
      RecoveryBench.replay(harness, window); // warm-up
      double[] ms = new double[options.runs()];
      for (int i = 0; i < ms.length; i++) {
        ms[i] = RecoveryBench.replay(harness, window) / 1e6;
      }
      Samples replay = Samples.of(ms);
      report.line(String.format(Locale.ROOT, "## Replay of a full window (%s) after an abort",
          ResultTable.size(window)));
      report.line("");
      report.line("| runs | median ms | min ms | max ms | GB/s at the median |");
      report.line("|--:|--:|--:|--:|--:|");
      report.line(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f | %.2f |", replay.count(),
          replay.median(), replay.min(), replay.max(), window / (replay.median() / 1e3) / 1e9));
      report.line("");
      report.line("From the abort to the last byte delivered to the server's application: the"
          + " reconnect, then the whole window sent again.");
      report.line("");
    }
  }

  private void tunnel(PekkoTuning buffers) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench-tunnel",
        TunnelBench.config(buffers));
    try {
      TunnelBench.Outcome outcome = TunnelBench.run(system, options.streams(),
          options.pings(), options.tunnelRounds(), options.latencyWarmUp());
      List<TunnelBench.Result> results = outcome.results();
      report.line(String.format(Locale.ROOT, "## Tunnel latency (serve and connect in one JVM,"
              + " loopback, %s; plain blocking-socket client; the tunnel warmed for %d s, then"
              + " %d rounds, the paths in turn)",
          buffers.name(), options.latencyWarmUp().toSeconds(), options.tunnelRounds()));
      report.line("");
      report.line(TunnelBench.table(results));
      report.line(TunnelBench.notes(outcome.skipped()));
      report.line("");
      TunnelBench.Result tunnel = results.get(0);
      // Beside it: a forwarder on the same Pekko TCP, and what the pipe adds to a round trip
      // (the tunnel's ping-pong less the forwarder's: both cross the same local legs).
      String floor = results.stream().filter(r -> r.path().equals(TunnelBench.PEKKO))
          .findFirst()
          .map(pekko -> String.format(Locale.ROOT, "; the Pekko Streams forwarder p50 %.2f / p99"
                  + " %.2f, and the pipe's part of a round trip p50 %.2f",
              pekko.firstByte().percentile(0.5), pekko.firstByte().percentile(0.99),
              tunnel.pingPong().percentile(0.5) - pekko.pingPong().percentile(0.5)))
          .orElse("");
      target(tunnel.firstByte().percentile(0.5) <= 1 && tunnel.firstByte().percentile(0.99) <= 5,
          String.format(Locale.ROOT, "new tunnel stream to first echoed byte p50 %.2f / p99 %.2f"
              + " ms (target <= 1 / 5 ms%s)", tunnel.firstByte().percentile(0.5),
              tunnel.firstByte().percentile(0.99), floor));
      target(tunnel.pingPong().percentile(0.99) <= 1, String.format(Locale.ROOT,
          "tunnel ping-pong p99 %.2f ms (target <= 1 ms)", tunnel.pingPong().percentile(0.99)));
      TunnelBench.LongLink longLink = TunnelBench.overLongLink(system, LONG_LINK_STREAMS,
          LONG_LINK_ONE_WAY);
      report.line(String.format(Locale.ROOT, "## New streams across a long link (a proxy delays"
              + " every byte by %d ms each way between connect and serve, and between ssh and"
              + " sshd: a round trip of %.1f ms measured across it)", LONG_LINK_ONE_WAY.toMillis(),
          longLink.roundTrip().percentile(0.5)));
      report.line("");
      report.line(longLink.table());
      report.line("The proxy does not delay TCP's own handshake: both tools' connections across"
          + " the link are up before the streams open, so the figure is the round trips each"
          + " makes per new stream. The tunnel sends a stream's first bytes with its OPEN;"
          + " `ssh -L` waits for the daemon to confirm the channel first."
          + (longLink.skipped().isEmpty() ? "" : " Not measured: "
              + String.join("; ", longLink.skipped()) + "."));
      report.line("");
    } finally {
      stop(system);
    }
  }

  private void cluster(PekkoTuning buffers) throws Exception {
    int aborts = Math.min(options.aborts(), 200);
    int idle = 500;
    ClusterBench.Report result = ClusterBench.run(buffers.config(), options.bytesPerRun(),
        options.runs(), aborts, idle);
    report.line(String.format(Locale.ROOT, "## Cluster mode (two nodes and the clients in one JVM,"
        + " loopback, %s; %s per run, %d runs, %d aborts per path)", buffers.name(),
        ResultTable.size(options.bytesPerRun()), options.runs(), aborts));
    report.line("");
    report.line(ClusterBench.table(result));
  }

  private void memory(PekkoTuning buffers) throws Exception {
    MemoryBench.Result result =
        MemoryBench.run(buffers, options.pipeCounts(), options.pipeCap());
    report.line("## Heap per idle connected pipe (server in a child JVM with -Xmx1g)");
    report.line("");
    report.line("| pipes | client side KiB/pipe | server side KiB/pipe | both ends KiB/pipe |");
    report.line("|--:|--:|--:|--:|");
    double worst = 0;
    for (MemoryBench.Point p : result.points()) {
      double client = p.clientBytes() / 1024.0 / p.pipes();
      double server = p.serverBytes() / 1024.0 / p.pipes();
      worst = Math.max(worst, client + server);
      report.line(String.format(Locale.ROOT, "| %d | %.1f | %.1f | %.1f |", p.pipes(), client,
          server, client + server));
    }
    report.line("");
    // Pipes that carried data: what a pipe keeps after traffic (buffers, history checks, streams).
    int trafficPipes = options.pipeCounts().get(0);
    MemoryBench.Point carried = MemoryBench.afterTraffic(buffers, trafficPipes, TRAFFIC_BYTES);
    double carriedClient = carried.clientBytes() / 1024.0 / carried.pipes();
    double carriedServer = carried.serverBytes() / 1024.0 / carried.pipes();
    report.line(String.format(Locale.ROOT, "After %d MiB each way, idle with their streams open"
            + " (the server echoes): %d pipes, %.1f KiB client side + %.1f KiB server side ="
            + " %.1f KiB per pipe.", TRAFFIC_BYTES >> 20, carried.pipes(), carriedClient,
        carriedServer, carriedClient + carriedServer));
    report.line("");
    FloorBench.Shape shape = FloorBench.bareShape(buffers, trafficPipes);
    double shapeKib = shape.totalBytes() / 1024;
    report.line(String.format(Locale.ROOT, "The design's bare shape, for comparison (%d pipes in"
            + " one JVM, nothing of the pipe in them): three empty actors per end (supervisor,"
            + " reader, writer) %.1f KiB and a plain Pekko TCP connection with its stream at each"
            + " end %.1f KiB = %.1f KiB per pipe, both ends.", trafficPipes,
        shape.actorBytes() / 1024, shape.connectionBytes() / 1024, shapeKib));
    report.line("");
    MemoryBench.Point most = result.mostPoint();
    if (most != null) {
      // Heap per pipe from the largest asked-for count, where every pipe was connected; past the
      // point where dialing stopped, some hosted pipes may be waiting for their client.
      MemoryBench.Point basis = result.points().isEmpty() ? most
          : result.points().get(result.points().size() - 1);
      double perPipe = (double) basis.serverBytes() / basis.pipes();
      long room = (long) ((most.serverMax() - (most.serverUsed() - most.serverBytes())) / perPipe);
      report.line(String.format(Locale.ROOT, "Most pipes one server held with -Xmx1g: %d"
              + " (the dialing stopped at %s); its heap after GC was then %d MiB of %d MiB. At"
              + " %.1f KiB per connected pipe (measured at %d), the heap has room for about %d.",
          most.pipes(), result.stoppedBecause(), most.serverUsed() >> 20, most.serverMax() >> 20,
          perPipe / 1024, basis.pipes(), room));
      report.line("");
      if (options.pipeCap() >= 10_000) {
        target(most.pipes() >= 10_000, "10,000 pipes on one server in 1 GiB: held "
            + most.pipes());
      }
    }
    // Issue 13 counts a pipe's two ends together (its 59 KiB baseline was both ends), and asks
    // the same of a pipe that carried data.
    if (!result.points().isEmpty()) {
      target(worst <= 16, String.format(Locale.ROOT,
          "idle connected pipe %.1f KiB of heap, both ends (target <= 16 KiB; the bare shape"
              + " alone %.1f)", worst, shapeKib));
    }
    target(carriedClient + carriedServer <= 16, String.format(Locale.ROOT,
        "idle pipe that carried data %.1f KiB of heap, both ends (target <= 16 KiB; the bare"
            + " shape alone %.1f)", carriedClient + carriedServer, shapeKib));
  }

  private void target(boolean met, String text) {
    targets.add("- " + (met ? "met" : "MISSED") + ": " + text);
  }

  private static Samples millis(RecoveryBench.Round[] rounds,
      ToLongFunction<RecoveryBench.Round> pick) {
    return Samples.of(Arrays.stream(rounds).mapToDouble(r -> pick.applyAsLong(r) / 1e6)
        .toArray());
  }

  private static String latencyRow(String from, Samples ms) {
    return String.format(Locale.ROOT, "| %s | first byte delivered on the new link | %.2f | %.2f"
        + " | %.2f | %.2f |", from, ms.percentile(0.5), ms.percentile(0.9), ms.percentile(0.99),
        ms.max());
  }

  private static String outageRow(String fault, Samples ms, String bound) {
    return String.format(Locale.ROOT, "| %s | %d | %.1f | %.1f | %.1f | %s |", fault, ms.count(),
        ms.median(), ms.min(), ms.max(), bound);
  }

  private static String gib(long bytes) {
    return String.format(Locale.ROOT, "%.3g GiB", bytes / (double) (1L << 30));
  }
}
