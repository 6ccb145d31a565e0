package io.backedpipe.bench;

import java.util.List;

/**
 * One series of a grouped bar chart: a bar per group, with a whisker from the smallest to the
 * largest run.
 *
 * @param name the legend's label
 * @param values one median per group, in the chart's group order
 * @param lows one minimum per group
 * @param highs one maximum per group
 */
public record ChartSeries(String name, List<Double> values, List<Double> lows,
    List<Double> highs) {

  /**
   * Validates that the three lists have one value per group.
   *
   * @param name see the record's description
   * @param values see the record's description
   * @param lows see the record's description
   * @param highs see the record's description
   * @throws IllegalArgumentException if the lists differ in length
   */
  public ChartSeries {
    if (values.size() != lows.size() || values.size() != highs.size()) {
      throw new IllegalArgumentException("series " + name + ": values=" + values.size()
          + " lows=" + lows.size() + " highs=" + highs.size() + " must be equal");
    }
    values = List.copyOf(values);
    lows = List.copyOf(lows);
    highs = List.copyOf(highs);
  }
}
