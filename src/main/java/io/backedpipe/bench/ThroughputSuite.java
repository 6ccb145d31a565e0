package io.backedpipe.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.OptionalDouble;

/**
 * The throughput table: plain sockets, plain Pekko TCP and the pipe (one-way and both ways), at
 * each write size; and the pipe with a byte-identical check, clean and with the link aborted at an
 * interval. Within a write size the runs of the paths take turns (A B C, A B C, ...), so a burst of
 * load elsewhere on the machine spreads over all of them rather than skewing one ratio.
 */
final class ThroughputSuite {
  /** The write sizes, largest first. */
  static final List<Integer> WRITE_SIZES = List.of(64 * 1024, 4 * 1024);

  /** Path names, as in the table and the chart. */
  static final String SOCKET = "java.net.Socket one-way";
  static final String PEKKO = "Pekko TCP one-way";
  static final String PIPE = "pipe one-way";
  static final String PIPE_BOTH = "pipe both ways (sum)";
  static final String PIPE_CHECKED = "pipe one-way, checked";
  static final String PIPE_FAULTS = "pipe one-way, checked, aborts";

  private final BenchOptions options;
  private final Report report;

  ThroughputSuite(BenchOptions options, Report report) {
    this.options = options;
    this.report = report;
  }

  /** Plain sockets at each write size. */
  List<ResultRow> sockets() throws Exception {
    List<ResultRow> rows = new ArrayList<>();
    long bytes = options.bytesPerRun();
    for (int write : WRITE_SIZES) {
      SocketOneWay.run(write, options.warmUpBytes());
      double[] gbps = new double[options.runs()];
      for (int r = 0; r < gbps.length; r++) {
        gbps[r] = gbps(bytes, SocketOneWay.run(write, bytes));
      }
      rows.add(new ResultRow(SOCKET, write, "-", Samples.of(gbps), OptionalDouble.empty(),
          "the JVM's limit"));
      report.progress(SOCKET + " " + ResultTable.size(write) + " done");
    }
    return rows;
  }

  /**
   * Plain Pekko TCP and the pipe, one-way and both ways, with the harness's buffer settings.
   *
   * @param warmUpBytes what each path moves at each write size before the measured runs
   */
  List<ResultRow> pekkoAndPipe(PipeHarness harness, PekkoTuning buffers, long warmUpBytes)
      throws Exception {
    List<ResultRow> rows = new ArrayList<>();
    long bytes = options.bytesPerRun();
    for (int write : WRITE_SIZES) {
      PekkoTcpOneWay.run(harness.system(), harness.transport(), write, warmUpBytes);
      PipeThroughput.oneWay(harness, write, warmUpBytes);
      PipeThroughput.bothWays(harness, write, warmUpBytes / 2 / write * write);
      double[] pekko = new double[options.runs()];
      double[] pipe = new double[options.runs()];
      double[] both = new double[options.runs()];
      for (int r = 0; r < options.runs(); r++) {
        pekko[r] = gbps(bytes, PekkoTcpOneWay.run(harness.system(), harness.transport(), write,
            bytes));
        pipe[r] = gbps(bytes, PipeThroughput.oneWay(harness, write, bytes));
        // Half the bytes each way, so a run moves as much in total as a one-way run.
        long half = bytes / 2 / write * write;
        both[r] = gbps(2 * half, PipeThroughput.bothWays(harness, write, half));
      }
      Samples pekkoSamples = Samples.of(pekko);
      Samples pipeSamples = Samples.of(pipe);
      rows.add(new ResultRow(PEKKO, write, buffers.name(), pekkoSamples, OptionalDouble.empty(),
          ""));
      rows.add(new ResultRow(PIPE, write, buffers.name(), pipeSamples,
          OptionalDouble.of(pipeSamples.median() / pekkoSamples.median()),
          "ratio: pipe / Pekko TCP"));
      rows.add(new ResultRow(PIPE_BOTH, write, buffers.name(), Samples.of(both),
          OptionalDouble.empty(), "both directions at once, half the bytes each way"));
      report.progress(buffers.name() + " Pekko TCP and pipe " + ResultTable.size(write)
          + " done");
    }
    return rows;
  }

  /** The pipe with a byte-identical check, clean and with aborts, 64 KiB writes. */
  List<ResultRow> faults(PipeHarness harness, PekkoTuning buffers) throws Exception {
    int write = WRITE_SIZES.get(0);
    long bytes = options.faultBytesPerRun();
    StreamPattern pattern = new StreamPattern(42, write);
    long interval = options.faultInterval().toMillis();
    PipeThroughput.checked(harness, pattern, write, warmUp(bytes), interval);
    double[] clean = new double[options.runs()];
    double[] faulty = new double[options.runs()];
    int aborts = 0;
    long reconnects = 0;
    boolean identical = true;
    for (int r = 0; r < options.runs(); r++) {
      PipeThroughput.Checked c = PipeThroughput.checked(harness, pattern, write, bytes, 0);
      PipeThroughput.Checked f = PipeThroughput.checked(harness, pattern, write, bytes, interval);
      identical &= c.identical() && f.identical();
      clean[r] = gbps(bytes, c.seconds());
      faulty[r] = gbps(bytes, f.seconds());
      aborts += f.aborts();
      reconnects += f.reconnects();
    }
    Samples cleanSamples = Samples.of(clean);
    Samples faultySamples = Samples.of(faulty);
    report.progress("faults done");
    return List.of(
        new ResultRow(PIPE_CHECKED, write, buffers.name(), cleanSamples, OptionalDouble.empty(),
            "every byte compared; identical: " + (identical ? "yes" : "NO")),
        new ResultRow(PIPE_FAULTS, write, buffers.name(), faultySamples,
            OptionalDouble.of(faultySamples.median() / cleanSamples.median()),
            String.format(Locale.ROOT, "abort every %d ms, %d aborts and %d reconnects over %d"
                + " runs; identical: %s; ratio: faults / clean", interval, aborts, reconnects,
                options.runs(), identical ? "yes" : "NO")));
  }

  private static long warmUp(long bytes) {
    long quarter = bytes / 4 / (64 * 1024) * (64 * 1024);
    return Math.max(quarter, 64 * 1024);
  }

  static double gbps(long bytes, double seconds) {
    return bytes / seconds / 1e9;
  }
}
