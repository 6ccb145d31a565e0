package io.backedpipe.bench;

import java.util.Arrays;

/**
 * Repeated measurements of one figure and their order statistics: median, minimum, maximum and
 * percentiles. Immutable; the values are sorted once at construction.
 *
 * <pre>{@code
 * Samples s = Samples.of(new double[] {2.1, 2.4, 1.9});
 * s.median();          // 2.1
 * s.percentile(0.99);  // 2.4 (nearest rank)
 * }</pre>
 */
public final class Samples {
  private final double[] sorted;

  private Samples(double[] sorted) {
    this.sorted = sorted;
  }

  /**
   * Takes a copy of the values.
   *
   * @param values the measurements, at least one
   * @return the samples
   * @throws IllegalArgumentException if there is no value
   */
  public static Samples of(double... values) {
    if (values.length == 0) {
      throw new IllegalArgumentException("no samples");
    }
    double[] copy = values.clone();
    Arrays.sort(copy);
    return new Samples(copy);
  }

  /**
   * How many values there are.
   *
   * @return the count
   */
  public int count() {
    return sorted.length;
  }

  /**
   * The smallest value.
   *
   * @return the minimum
   */
  public double min() {
    return sorted[0];
  }

  /**
   * The largest value.
   *
   * @return the maximum
   */
  public double max() {
    return sorted[sorted.length - 1];
  }

  /**
   * The middle value; the mean of the two middle ones for an even count.
   *
   * @return the median
   */
  public double median() {
    int n = sorted.length;
    return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
  }

  /**
   * The nearest-rank percentile: the smallest value with at least {@code q} of the values at or
   * below it. Nearest rank (rather than interpolation) so that p99 and max are measured values.
   *
   * @param q the fraction, in (0, 1]
   * @return the percentile
   * @throws IllegalArgumentException if {@code q} is out of range
   */
  public double percentile(double q) {
    if (!(q > 0 && q <= 1)) {
      throw new IllegalArgumentException("q=" + q + " must be in (0, 1]");
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(rank, 1) - 1];
  }
}
