package io.backedpipe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.Test;

class BenchOptionsTest {
  @Test
  void shouldDefaultToTheFullRun() {
    BenchOptions o = BenchOptions.parse();
    assertEquals(5, o.runs());
    assertEquals(1L << 30, o.bytesPerRun());
    assertEquals("both", o.settings());
    assertEquals(1000, o.aborts());
    assertEquals(List.of(1000, 10000), o.pipeCounts());
    assertEquals(Duration.ofMillis(100), o.faultInterval());
    assertTrue(BenchOptions.ALL_SECTIONS.stream().allMatch(o::runs));
  }

  @Test
  void shouldTakeQuickDefaultsAndOverridesOverThem() {
    BenchOptions o = BenchOptions.parse("quick=true", "runs=3", "cases=latency,memory",
        "out=/tmp/x");
    assertEquals(3, o.runs());
    assertEquals(1L << 27, o.bytesPerRun());
    assertEquals("tuned", o.settings());
    assertTrue(o.runs("latency"));
    assertFalse(o.runs("throughput"));
    assertEquals(Path.of("/tmp/x"), o.out());
  }

  @Test
  void shouldRoundBytesToWholeLargeWrites() {
    assertEquals(64 * 1024, BenchOptions.parse("gib=0.00001").bytesPerRun());
    assertEquals(3L << 29, BenchOptions.parse("gib=1.5").bytesPerRun());
  }

  @Test
  void shouldRefuseUnknownKeysBadCasesAndBadValues() {
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("rnus=3"));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("cases=speed"));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("settings=fast"));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("runs=0"));
    assertThrows(IllegalArgumentException.class, () -> BenchOptions.parse("runs"));
  }
}
