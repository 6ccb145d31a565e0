package io.backedpipe.tunnel.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** A stream's window follows what its connection takes: small on a slow link, its cap on a fast one. */
class StreamWindowTest {
  private static final long MS = 1_000_000L;
  private static final int KIB = 1024;

  @Test
  void shouldRefuseBytesBeyondTheCreditAndCountNothingForThem() {
    StreamWindow window = new StreamWindow(4 * KIB * KIB, 0);
    assertTrue(window.received(60 * KIB));
    assertFalse(window.received(5 * KIB)); // 4 KiB left
    assertEquals(4 * KIB, window.credit());
    assertTrue(window.received(4 * KIB));
    assertEquals(0, window.credit());
  }

  @Test
  void shouldGrowToItsCapWhenTheConnectionTakesBytesFast() {
    long cap = 4 * KIB * KIB;
    StreamWindow window = new StreamWindow(cap, 0);
    long now = 0;
    long sent = 0;
    // 32 KiB taken every 0.1 ms: 320 MB/s
    for (int i = 0; i < 20; i++) {
      int chunk = (int) Math.min(32 * KIB, window.credit());
      assertTrue(window.received(chunk));
      sent += chunk;
      now += MS / 10;
      window.consumed(chunk, now);
    }
    assertEquals(cap, window.window());
    assertTrue(window.credit() > cap / 2, "credit " + window.credit());
    assertTrue(sent > 0);
  }

  @Test
  void shouldStayAtTheInitialCreditOnALinkOf64KilobytesASecond() {
    StreamWindow window = new StreamWindow(4 * KIB * KIB, 0);
    long now = 0;
    for (int i = 0; i < 50; i++) {
      assertTrue(window.received(32 * KIB));
      now += 500 * MS; // 32 KiB every half second
      window.consumed(32 * KIB, now);
      assertEquals(MuxCodec.INITIAL_CREDIT, window.window());
      assertTrue(window.credit() <= MuxCodec.INITIAL_CREDIT, "credit " + window.credit());
    }
  }

  @Test
  void shouldGrantOnlyOnceAQuarterOfTheWindowIsMissing() {
    StreamWindow window = new StreamWindow(MuxCodec.INITIAL_CREDIT, 0);
    assertTrue(window.received(8 * KIB));
    assertEquals(0, window.consumed(8 * KIB, MS)); // 8 KiB short of 64: not yet
    assertTrue(window.received(16 * KIB));
    assertEquals(24 * KIB, window.consumed(16 * KIB, 2 * MS));
    assertEquals(MuxCodec.INITIAL_CREDIT, window.credit()); // all taken, all granted again
  }
}
