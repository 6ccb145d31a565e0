package io.backedpipe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Iterator;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

class StreamPatternTest {
  private static final int WRITE = 64 * 1024;
  private final StreamPattern pattern = new StreamPattern(7, WRITE);

  /** Joins the writes of {@code [0, total)} into chunks of other sizes, as a connection would. */
  private static ByteString all(StreamPattern pattern, long total) {
    ByteString joined = ByteString.emptyByteString();
    for (Iterator<ByteString> it = pattern.writes(WRITE, total); it.hasNext(); ) {
      joined = joined.concat(it.next());
    }
    return joined;
  }

  @Test
  void shouldAcceptTheStreamCutAnywhereAcrossThePeriod() {
    long total = 40L * WRITE; // more than two periods
    ByteString bytes = all(pattern, total);
    StreamPattern.Checker checker = pattern.new Checker();
    for (int at = 0; at < bytes.size(); at += 100_003) {
      checker.apply(bytes.slice(at, Math.min(bytes.size(), at + 100_003)));
    }
    assertEquals(total, checker.position());
    assertEquals(-1, checker.firstMismatch());
  }

  @Test
  void shouldFindALostChunk() {
    ByteString bytes = all(pattern, 20L * WRITE);
    StreamPattern.Checker checker = pattern.new Checker();
    checker.apply(bytes.take(3 * WRITE));
    checker.apply(bytes.drop(4 * WRITE)); // the fourth write is missing
    assertEquals(3L * WRITE, checker.firstMismatch());
    assertEquals(19L * WRITE, checker.position());
  }

  @Test
  void shouldFindARepeatedChunkAndAFlippedByte() {
    ByteString bytes = all(pattern, 8L * WRITE);
    StreamPattern.Checker repeated = pattern.new Checker();
    repeated.apply(bytes.take(2 * WRITE));
    repeated.apply(bytes.slice(WRITE, 2 * WRITE));
    assertEquals(2L * WRITE, repeated.firstMismatch());

    byte[] copy = bytes.toArray();
    copy[12345] ^= 1;
    StreamPattern.Checker flipped = pattern.new Checker();
    flipped.apply(ByteString.fromArrayUnsafe(copy));
    assertEquals(12345, flipped.firstMismatch());
  }
}
