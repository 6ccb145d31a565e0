package io.backedpipe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.junit.jupiter.api.Test;

class SamplesTest {
  @Test
  void shouldGiveTheMiddleValueOfAnOddCountAndTheMeanOfTheTwoMiddleOnesOfAnEvenCount() {
    assertEquals(2.0, Samples.of(3, 1, 2).median());
    assertEquals(2.5, Samples.of(4, 1, 3, 2).median());
  }

  @Test
  void shouldGiveMinAndMaxWhateverTheOrder() {
    Samples s = Samples.of(5, -1, 3);
    assertEquals(-1, s.min());
    assertEquals(5, s.max());
    assertEquals(3, s.count());
  }

  @Test
  void shouldTakeNearestRankPercentilesThatAreMeasuredValues() {
    double[] values = new double[1000];
    for (int i = 0; i < values.length; i++) {
      values[i] = values.length - i; // 1000 down to 1
    }
    Samples s = Samples.of(values);
    assertEquals(500, s.percentile(0.5));
    assertEquals(900, s.percentile(0.9));
    assertEquals(990, s.percentile(0.99));
    assertEquals(1000, s.percentile(1.0));
    assertEquals(1, Samples.of(1).percentile(0.99));
  }

  @Test
  void shouldNotChangeWhenTheCallersArrayChanges() {
    double[] values = {1, 2, 3};
    Samples s = Samples.of(values);
    values[0] = 100;
    assertEquals(3, s.max());
  }

  @Test
  void shouldRefuseNoValuesAndPercentilesOutOfRange() {
    assertThrows(IllegalArgumentException.class, Samples::of);
    assertThrows(IllegalArgumentException.class, () -> Samples.of(1).percentile(0));
    assertThrows(IllegalArgumentException.class, () -> Samples.of(1).percentile(1.5));
  }
}
