package io.backedpipe.bench;

import java.util.List;
import java.util.Locale;

/**
 * A small grouped bar chart in SVG, so the harness can draw its own results without a plotting
 * dependency: one group of bars per category (write size), one bar per series (path) with a
 * min-max whisker, a y axis with round ticks from zero, and a legend. Pure text; no I/O.
 */
public final class SvgBarChart {
  private static final String[] COLOURS = {
    "#4e79a7", "#f28e2b", "#59a14f", "#e15759", "#76b7b2", "#edc948", "#b07aa1"
  };
  private static final int WIDTH = 720;
  private static final int HEIGHT = 400;
  private static final int LEFT = 70;
  private static final int RIGHT = 190;
  private static final int TOP = 50;
  private static final int BOTTOM = 50;

  private SvgBarChart() {}

  /**
   * Draws the chart.
   *
   * @param title the title above the plot
   * @param yLabel the y axis label
   * @param groups the category labels along the x axis
   * @param series the series, each with one value per group
   * @return a standalone SVG document
   * @throws IllegalArgumentException if a series does not have one value per group
   */
  public static String render(String title, String yLabel, List<String> groups,
      List<ChartSeries> series) {
    for (ChartSeries s : series) {
      if (s.values().size() != groups.size()) {
        throw new IllegalArgumentException("series " + s.name() + " has " + s.values().size()
            + " values for " + groups.size() + " groups");
      }
    }
    double top = niceCeiling(series.stream().flatMap(s -> s.highs().stream())
        .mapToDouble(Double::doubleValue).max().orElse(1));
    int plotWidth = WIDTH - LEFT - RIGHT;
    int plotHeight = HEIGHT - TOP - BOTTOM;
    StringBuilder svg = new StringBuilder();
    svg.append(String.format(Locale.ROOT, "<svg xmlns=\"http://www.w3.org/2000/svg\" width=\"%d\""
        + " height=\"%d\" viewBox=\"0 0 %d %d\" font-family=\"sans-serif\" font-size=\"12\">%n",
        WIDTH, HEIGHT, WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT,
        "<rect width=\"%d\" height=\"%d\" fill=\"white\"/>%n", WIDTH, HEIGHT));
    svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"25\" font-size=\"15\""
        + " font-weight=\"bold\">%s</text>%n", LEFT, escape(title)));
    axis(svg, yLabel, top, plotWidth, plotHeight);
    bars(svg, groups, series, top, plotWidth, plotHeight);
    legend(svg, series);
    svg.append("</svg>\n");
    return svg.toString();
  }

  private static void axis(StringBuilder svg, String yLabel, double top, int plotWidth,
      int plotHeight) {
    int ticks = 5;
    for (int i = 0; i <= ticks; i++) {
      double value = top * i / ticks;
      double y = TOP + plotHeight - plotHeight * (double) i / ticks;
      svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%.1f\" x2=\"%d\" y2=\"%.1f\""
          + " stroke=\"#ddd\"/>%n", LEFT, y, LEFT + plotWidth, y));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%.1f\" text-anchor=\"end\">%s"
          + "</text>%n", LEFT - 6, y + 4, tickLabel(value)));
    }
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\""
        + " stroke=\"black\"/>%n", LEFT, TOP, LEFT, TOP + plotHeight));
    svg.append(String.format(Locale.ROOT, "<line x1=\"%d\" y1=\"%d\" x2=\"%d\" y2=\"%d\""
        + " stroke=\"black\"/>%n", LEFT, TOP + plotHeight, LEFT + plotWidth, TOP + plotHeight));
    svg.append(String.format(Locale.ROOT, "<text x=\"18\" y=\"%d\" text-anchor=\"middle\""
        + " transform=\"rotate(-90 18 %d)\">%s</text>%n", TOP + plotHeight / 2,
        TOP + plotHeight / 2, escape(yLabel)));
  }

  private static void bars(StringBuilder svg, List<String> groups, List<ChartSeries> series,
      double top, int plotWidth, int plotHeight) {
    double groupWidth = (double) plotWidth / Math.max(groups.size(), 1);
    double barWidth = groupWidth * 0.8 / Math.max(series.size(), 1);
    for (int g = 0; g < groups.size(); g++) {
      double groupLeft = LEFT + g * groupWidth + groupWidth * 0.1;
      for (int s = 0; s < series.size(); s++) {
        ChartSeries one = series.get(s);
        double x = groupLeft + s * barWidth;
        double height = plotHeight * one.values().get(g) / top;
        double base = TOP + plotHeight;
        svg.append(String.format(Locale.ROOT, "<rect x=\"%.1f\" y=\"%.1f\" width=\"%.1f\""
            + " height=\"%.1f\" fill=\"%s\"><title>%s, %s: %s</title></rect>%n",
            x + 1, base - height, barWidth - 2, height, COLOURS[s % COLOURS.length],
            escape(one.name()), escape(groups.get(g)), tickLabel(one.values().get(g))));
        double low = base - plotHeight * one.lows().get(g) / top;
        double high = base - plotHeight * one.highs().get(g) / top;
        double mid = x + barWidth / 2;
        svg.append(String.format(Locale.ROOT, "<line x1=\"%.1f\" y1=\"%.1f\" x2=\"%.1f\""
            + " y2=\"%.1f\" stroke=\"black\"/>%n", mid, low, mid, high));
        svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%.1f\" text-anchor=\"middle\""
            + " font-size=\"10\">%s</text>%n", mid, Math.min(high, base - height) - 4,
            tickLabel(one.values().get(g))));
      }
      svg.append(String.format(Locale.ROOT, "<text x=\"%.1f\" y=\"%d\" text-anchor=\"middle\">"
          + "%s</text>%n", groupLeft + groupWidth * 0.4, TOP + plotHeight + 20,
          escape(groups.get(g))));
    }
  }

  private static void legend(StringBuilder svg, List<ChartSeries> series) {
    int x = WIDTH - RIGHT + 15;
    for (int s = 0; s < series.size(); s++) {
      int y = TOP + 10 + s * 22;
      svg.append(String.format(Locale.ROOT, "<rect x=\"%d\" y=\"%d\" width=\"14\" height=\"14\""
          + " fill=\"%s\"/>%n", x, y - 11, COLOURS[s % COLOURS.length]));
      svg.append(String.format(Locale.ROOT, "<text x=\"%d\" y=\"%d\">%s</text>%n", x + 20, y,
          escape(series.get(s).name())));
    }
  }

  /**
   * The smallest round number (1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6 or 8 times a power of ten) that is
   * at least {@code value}, so the axis ends on a round number without wasting much height.
   *
   * @param value the largest value to show, positive
   * @return the axis maximum
   */
  static double niceCeiling(double value) {
    if (!(value > 0)) {
      return 1;
    }
    double power = Math.pow(10, Math.floor(Math.log10(value)));
    for (double step : new double[] {1, 1.2, 1.5, 2, 2.5, 3, 4, 5, 6, 8, 10}) {
      if (step * power >= value * (1 - 1e-9)) {
        return step * power;
      }
    }
    return 10 * power;
  }

  private static String tickLabel(double value) {
    return String.format(Locale.ROOT, value >= 10 ? "%.0f" : "%.2f", value);
  }

  /**
   * Escapes text for an SVG element or attribute.
   *
   * @param text any text
   * @return the text with {@code & < > "} escaped
   */
  static String escape(String text) {
    return text.replace("&", "&amp;").replace("<", "&lt;").replace(">", "&gt;")
        .replace("\"", "&quot;");
  }
}
