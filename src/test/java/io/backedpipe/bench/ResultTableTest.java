package io.backedpipe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import java.util.OptionalDouble;
import org.junit.jupiter.api.Test;

class ResultTableTest {
  private static final List<ResultRow> ROWS = List.of(
      new ResultRow("Pekko TCP one-way", 65536, "tuned", Samples.of(3.0, 2.0, 2.5),
          OptionalDouble.empty(), ""),
      new ResultRow("pipe one-way", 4096, "tuned", Samples.of(2.25),
          OptionalDouble.of(0.9), "ratio: a | b, \"quoted\""));

  @Test
  void shouldFormatAMarkdownTableWithMedianMinMaxAndEscapedPipes() {
    assertEquals("""
        | path | write | pekko settings | GB/s median | min | max | runs | ratio | note |
        |---|---|---|--:|--:|--:|--:|--:|---|
        | Pekko TCP one-way | 64 KiB | tuned | 2.50 | 2.00 | 3.00 | 3 |  |  |
        | pipe one-way | 4 KiB | tuned | 2.25 | 2.25 | 2.25 | 1 | 0.90 | ratio: a \\| b, "quoted" |
        """, ResultTable.markdown(ROWS));
  }

  @Test
  void shouldWriteCsvWithRawNumbersAndQuotedFields() {
    assertEquals("""
        path,write_bytes,settings,gbps_median,gbps_min,gbps_max,runs,ratio,note
        Pekko TCP one-way,65536,tuned,2.5000,2.0000,3.0000,3,,
        pipe one-way,4096,tuned,2.2500,2.2500,2.2500,1,0.9000,"ratio: a | b, ""quoted\"""
        """, ResultTable.csv(ROWS));
  }

  @Test
  void shouldNameSizesInBinaryUnitsWhenExact() {
    assertEquals("64 KiB", ResultTable.size(65536));
    assertEquals("1 MiB", ResultTable.size(1 << 20));
    assertEquals("2 GiB", ResultTable.size(2L << 30));
    assertEquals("1000 B", ResultTable.size(1000));
  }
}
