package io.backedpipe.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.time.Duration;
import org.junit.jupiter.api.Test;

/** An outage says each kind of failure once, and that it still fails at growing intervals. */
class OutageTest {

  @Test
  void shouldSayEachKindOfFailureOncePerOutage() {
    Outage outage = new Outage();
    assertFalse(outage.failing());
    assertTrue(outage.failed(1, "connection refused"));
    assertFalse(outage.failed(2, "connection refused"));
    assertTrue(outage.failed(3, "not a backed-pipe server (it sent \"x\")"));
    assertFalse(outage.failed(4, "connection refused"));
    assertEquals(4, outage.attempts());
    assertEquals("connection refused", outage.lastFailure());
    outage.end();
    assertFalse(outage.failing());
    assertTrue(outage.failed(1, "connection refused"), "a new outage says it again");
  }

  @Test
  void shouldSpaceTheStillFailingLinesFurtherApartUpToALimit() {
    Outage outage = new Outage();
    outage.failed(1, "timed out");
    assertEquals(Duration.ofSeconds(10), outage.nextSummaryIn());
    assertEquals(Duration.ofSeconds(10), outage.summaryDue());
    assertEquals(Duration.ofSeconds(30), outage.summaryDue());
    assertEquals(Duration.ofSeconds(70), outage.summaryDue());
    for (int i = 0; i < 10; i++) {
      outage.summaryDue();
    }
    assertEquals(Outage.MAX_SUMMARY_EVERY, outage.nextSummaryIn());
  }
}
