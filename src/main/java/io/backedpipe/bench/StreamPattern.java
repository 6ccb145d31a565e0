package io.backedpipe.bench;

import java.nio.ByteBuffer;
import java.util.Iterator;
import java.util.SplittableRandom;
import org.apache.pekko.util.ByteString;

/**
 * Seeded pseudo-random stream content that is cheap to send and to check: the byte at stream
 * position {@code p} is {@code pattern[p mod PERIOD]}. The period is not a multiple of any write
 * or frame size, so a lost, repeated or reordered chunk shifts every later byte off the pattern
 * and the check sees it. Writes are slices of one array (no copy, no fill per chunk), and the check
 * compares whole buffers with {@link ByteBuffer#mismatch} rather than byte by byte.
 */
final class StreamPattern {
  /** 1 MiB plus a prime, so no power-of-two size divides it. */
  static final int PERIOD = (1 << 20) + 13;

  private final byte[] doubled;

  /**
   * Makes the pattern of {@code seed}, large enough for writes up to {@code maxWriteBytes}.
   *
   * @param seed the seed
   * @param maxWriteBytes the largest write that will be taken
   */
  StreamPattern(long seed, int maxWriteBytes) {
    byte[] period = new byte[PERIOD];
    SplittableRandom random = new SplittableRandom(seed);
    for (int i = 0; i < PERIOD; i += 8) {
      long word = random.nextLong();
      for (int b = 0; b < 8 && i + b < PERIOD; b++) {
        period[i + b] = (byte) (word >>> (8 * b));
      }
    }
    // Repeated so that any window of up to maxWriteBytes from any offset is contiguous.
    int length = PERIOD + maxWriteBytes;
    doubled = new byte[length];
    for (int from = 0; from < length; from += PERIOD) {
      System.arraycopy(period, 0, doubled, from, Math.min(PERIOD, length - from));
    }
  }

  /**
   * The bytes at {@code [position, position + length)}, a view of the pattern.
   *
   * @param position the stream position
   * @param length at most the {@code maxWriteBytes} given at construction
   * @return the bytes
   */
  ByteString at(long position, int length) {
    return ByteString.fromArrayUnsafe(doubled, (int) (position % PERIOD), length);
  }

  /**
   * The stream's writes: {@code totalBytes / writeBytes} chunks of {@code writeBytes}.
   *
   * @param writeBytes the size of each write
   * @param totalBytes the stream's length, a multiple of {@code writeBytes}
   * @return a fresh iterator
   */
  Iterator<ByteString> writes(int writeBytes, long totalBytes) {
    return new Iterator<>() {
      private long position;

      @Override
      public boolean hasNext() {
        return position < totalBytes;
      }

      @Override
      public ByteString next() {
        ByteString chunk = at(position, writeBytes);
        position += writeBytes;
        return chunk;
      }
    };
  }

  /**
   * Checks received bytes against the pattern, in order; a stream stage's {@code foreach}.
   * Remembers the first position that differs.
   */
  final class Checker implements org.apache.pekko.japi.function.Procedure<ByteString> {
    private long position;
    private long firstMismatch = -1;

    @Override
    public void apply(ByteString received) {
      for (ByteBuffer part : received.getByteBuffers()) {
        int length = part.remaining();
        if (firstMismatch >= 0) {
          position += length; // only counted once the stream is known to be wrong
          continue;
        }
        int at = 0;
        while (at < length) {
          int offset = (int) (position % PERIOD);
          int n = Math.min(length - at, doubled.length - offset);
          ByteBuffer expected = ByteBuffer.wrap(doubled, offset, n);
          ByteBuffer got = part.slice(part.position() + at, n);
          int mismatch = got.mismatch(expected);
          if (mismatch >= 0) {
            firstMismatch = position + mismatch;
            position += length - at;
            break;
          }
          position += n;
          at += n;
        }
      }
    }

    /** The bytes checked so far. */
    long position() {
      return position;
    }

    /** The first position that differed from the pattern, or -1. */
    long firstMismatch() {
      return firstMismatch;
    }
  }
}
