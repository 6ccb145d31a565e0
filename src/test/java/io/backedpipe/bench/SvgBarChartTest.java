package io.backedpipe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.junit.jupiter.api.Test;

class SvgBarChartTest {
  private static final List<ChartSeries> SERIES = List.of(
      new ChartSeries("sockets", List.of(3.0, 1.5), List.of(2.8, 1.2), List.of(3.2, 1.6)),
      new ChartSeries("pipe <tuned>", List.of(2.0, 1.0), List.of(1.9, 0.9), List.of(2.1, 1.1)));

  @Test
  void shouldDrawOneBarPerSeriesAndGroupWithTitlesAndALegend() {
    String svg = SvgBarChart.render("Throughput", "GB/s", List.of("64 KiB", "4 KiB"), SERIES);
    assertTrue(svg.startsWith("<svg xmlns=\"http://www.w3.org/2000/svg\""));
    assertTrue(svg.trim().endsWith("</svg>"));
    assertEquals(4, count(svg, "<title>"));
    assertTrue(svg.contains("<title>sockets, 64 KiB: 3.00</title>"));
    assertTrue(svg.contains(">pipe &lt;tuned&gt;</text>"), "legend label escaped");
    assertTrue(svg.contains(">64 KiB</text>") && svg.contains(">4 KiB</text>"));
  }

  @Test
  void shouldScaleBarsToARoundAxisMaximum() {
    String svg = SvgBarChart.render("t", "y", List.of("a"),
        List.of(new ChartSeries("s", List.of(2.0), List.of(2.0), List.of(2.0))));
    // The axis tops out at 2 (a round number >= the highest whisker): the bar fills the plot.
    Matcher bar = Pattern.compile("<rect x=\"[\\d.]+\" y=\"([\\d.]+)\" width=\"[\\d.]+\""
        + " height=\"([\\d.]+)\" fill").matcher(svg);
    assertTrue(bar.find());
    assertEquals(300.0, Double.parseDouble(bar.group(2)), 0.01);
    assertEquals(50.0, Double.parseDouble(bar.group(1)), 0.01);
  }

  @Test
  void shouldRoundTheAxisUpToARoundNumber() {
    assertEquals(1.0, SvgBarChart.niceCeiling(0.93), 1e-9);
    assertEquals(2.5, SvgBarChart.niceCeiling(2.1), 1e-9);
    assertEquals(4.0, SvgBarChart.niceCeiling(3.7), 1e-9);
    assertEquals(6.0, SvgBarChart.niceCeiling(5.69), 1e-9);
    assertEquals(8.0, SvgBarChart.niceCeiling(7), 1e-9);
    assertEquals(15.0, SvgBarChart.niceCeiling(13), 1e-9);
    assertEquals(10.0, SvgBarChart.niceCeiling(10), 1e-9);
    assertEquals(1.0, SvgBarChart.niceCeiling(0), 1e-9);
  }

  @Test
  void shouldRefuseASeriesWithoutOneValuePerGroup() {
    assertThrows(IllegalArgumentException.class, () -> SvgBarChart.render("t", "y",
        List.of("a", "b", "c"), SERIES));
    assertThrows(IllegalArgumentException.class,
        () -> new ChartSeries("s", List.of(1.0), List.of(), List.of(1.0)));
  }

  private static int count(String text, String part) {
    int n = 0;
    for (int at = text.indexOf(part); at >= 0; at = text.indexOf(part, at + 1)) {
      n++;
    }
    return n;
  }
}
