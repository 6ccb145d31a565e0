package io.backedpipe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * The memory benchmark, end to end and small, in a child JVM like the real one. It dials many
 * pipes from one address at the speed of a loop; once the server guarded each address (creations
 * a second), the benchmark stopped at the first {@code LIMIT_REACHED}, and nothing in the suite
 * ran it. Its server now lifts the per-address guards, and {@code connect()} waits out refusals
 * the policy retries.
 */
class MemoryBenchIT {
  @Test
  void shouldDialEveryPipeOfTheMemoryBenchmarkFromOneAddress() throws Exception {
    MemoryBench.Result result = MemoryBench.run(PekkoTuning.PEKKO_DEFAULT, List.of(60), 60);
    assertEquals(60, result.most(), result.stoppedBecause());
  }
}
