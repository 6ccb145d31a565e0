package io.backedpipe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.time.Duration;
import java.util.OptionalLong;
import org.junit.jupiter.api.Test;

class RateLimitedLogTest {
  private static final long SECOND_NS = 1_000_000_000L;

  @Test
  void shouldLetTheFirstEventThrough() {
    assertEquals(OptionalLong.of(0), new RateLimitedLog(Duration.ofSeconds(10)).admit(-5));
  }

  @Test
  void shouldHoldBackEventsWithinTheIntervalAndCountThemOnTheNextLine() {
    RateLimitedLog log = new RateLimitedLog(Duration.ofSeconds(10));
    log.admit(0);
    for (int i = 1; i <= 3; i++) {
      assertEquals(OptionalLong.empty(), log.admit(i * SECOND_NS));
    }
    assertEquals(OptionalLong.empty(), log.admit(10 * SECOND_NS - 1));
    assertEquals(OptionalLong.of(4), log.admit(10 * SECOND_NS));
    assertEquals(OptionalLong.empty(), log.admit(11 * SECOND_NS));
  }
}
