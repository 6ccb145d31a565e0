package io.backedpipe.bench;

import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * The document's chart: throughput by write size for plain sockets, plain Pekko TCP and the
 * one-way pipe, with the tuned Pekko buffers (the settings the tool runs with).
 */
final class ThroughputChart {
  private static final List<String> PATHS = List.of(
      ThroughputSuite.SOCKET, ThroughputSuite.PEKKO, ThroughputSuite.PIPE);

  private ThroughputChart() {}

  /**
   * The SVG, if the rows hold every path at every write size.
   *
   * @param rows the throughput table
   * @return the chart, or empty when a path is missing
   */
  static Optional<String> svg(List<ResultRow> rows) {
    List<String> groups = new ArrayList<>();
    for (int write : ThroughputSuite.WRITE_SIZES) {
      groups.add(ResultTable.size(write) + " writes");
    }
    List<ChartSeries> series = new ArrayList<>();
    for (String path : PATHS) {
      List<Double> values = new ArrayList<>();
      List<Double> lows = new ArrayList<>();
      List<Double> highs = new ArrayList<>();
      for (int write : ThroughputSuite.WRITE_SIZES) {
        Optional<ResultRow> row = rows.stream()
            .filter(r -> r.path().equals(path) && r.writeBytes() == write)
            .filter(r -> r.settings().equals("-") || r.settings().equals("tuned"))
            .findFirst();
        if (row.isEmpty()) {
          return Optional.empty();
        }
        values.add(row.get().gbPerSecond().median());
        lows.add(row.get().gbPerSecond().min());
        highs.add(row.get().gbPerSecond().max());
      }
      series.add(new ChartSeries(path, values, lows, highs));
    }
    return Optional.of(SvgBarChart.render(
        "One-way throughput on loopback (median, whisker min-max)", "GB/s", groups, series));
  }
}
