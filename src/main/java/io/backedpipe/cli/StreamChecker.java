package io.backedpipe.cli;

import java.util.Arrays;
import org.apache.pekko.util.ByteString;

/**
 * Compares the bytes that come back with the seeded bytes that were sent, in order, whatever the
 * chunking. Counts checked bytes and remembers the first mismatch.
 *
 * <p>Not thread-safe; owned by the one stream stage that feeds it. Compares arrays with
 * {@link Arrays#mismatch} rather than byte iterators, which would cost more than the pipe itself.
 */
final class StreamChecker {
  private final SeededBytes expected;
  private byte[] window = new byte[0];
  private int windowOffset;
  private long checked;
  private long firstMismatch = -1;

  StreamChecker(SeededBytes expected) {
    this.expected = expected;
  }

  void accept(ByteString received) {
    byte[] got = received.toArrayUnsafe(); // no copy for a single array, one copy for a rope
    int offset = 0;
    while (offset < got.length) {
      if (windowOffset == window.length) {
        window = expected.next().toArrayUnsafe();
        windowOffset = 0;
      }
      int n = Math.min(window.length - windowOffset, got.length - offset);
      if (firstMismatch < 0) {
        int at = Arrays.mismatch(window, windowOffset, windowOffset + n, got, offset, offset + n);
        if (at >= 0) {
          firstMismatch = checked + at;
        }
      }
      windowOffset += n;
      offset += n;
      checked += n;
    }
  }

  long checked() {
    return checked;
  }

  long firstMismatch() {
    return firstMismatch;
  }
}
