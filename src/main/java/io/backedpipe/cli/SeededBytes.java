package io.backedpipe.cli;

import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import org.apache.pekko.util.ByteString;

/**
 * A deterministic pseudo-random byte stream: chunk {@code i} of seed {@code s} is always the same,
 * so a checker can regenerate what a writer sent instead of storing it.
 *
 * <p>Not thread-safe; each user owns its instance.
 */
final class SeededBytes {
  private final long seed;
  private final int chunkBytes;
  private long nextChunk;

  SeededBytes(long seed, int chunkBytes) {
    if (chunkBytes <= 0 || chunkBytes % Long.BYTES != 0) {
      throw new IllegalArgumentException("chunkBytes=" + chunkBytes + " must be a positive multiple of 8");
    }
    this.seed = seed;
    this.chunkBytes = chunkBytes;
  }

  /** The next chunk of the stream. */
  ByteString next() {
    long state = mix(seed ^ mix(nextChunk++));
    ByteBuffer buffer = ByteBuffer.allocate(chunkBytes).order(ByteOrder.LITTLE_ENDIAN);
    while (buffer.hasRemaining()) {
      // xorshift64*: fast and good enough to make every byte position distinct in practice
      state ^= state >>> 12;
      state ^= state << 25;
      state ^= state >>> 27;
      buffer.putLong(state * 0x2545F4914F6CDD1DL);
    }
    return ByteString.fromArrayUnsafe(buffer.array());
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31) | 1L;
  }
}
