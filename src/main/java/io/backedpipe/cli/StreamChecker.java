package io.backedpipe.cli;

import org.apache.pekko.util.ByteString;

/**
 * Compares the bytes that come back with the seeded bytes that were sent, in order, whatever the
 * chunking. Counts matching bytes and remembers the first mismatch.
 *
 * <p>Not thread-safe; owned by the one stream stage that feeds it.
 */
final class StreamChecker {
  private final SeededBytes expected;
  private ByteString window = ByteString.emptyByteString();
  private long checked;
  private long firstMismatch = -1;

  StreamChecker(SeededBytes expected) {
    this.expected = expected;
  }

  void accept(ByteString received) {
    ByteString rest = received;
    while (!rest.isEmpty()) {
      if (window.isEmpty()) {
        window = expected.next();
      }
      int n = Math.min(window.size(), rest.size());
      if (firstMismatch < 0 && !window.take(n).equals(rest.take(n))) {
        firstMismatch = checked + firstDifference(window.take(n), rest.take(n));
      }
      window = window.drop(n);
      rest = rest.drop(n);
      checked += n;
    }
  }

  private static int firstDifference(ByteString a, ByteString b) {
    byte[] x = a.toArrayUnsafe();
    byte[] y = b.toArrayUnsafe();
    return java.util.Arrays.mismatch(x, y);
  }

  long checked() {
    return checked;
  }

  long firstMismatch() {
    return firstMismatch;
  }
}
