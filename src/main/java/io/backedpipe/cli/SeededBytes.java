package io.backedpipe.cli;

import java.lang.invoke.MethodHandles;
import java.lang.invoke.VarHandle;
import java.nio.ByteOrder;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A deterministic pseudo-random byte stream: chunk {@code i} of seed {@code s} is always the same,
 * so a checker can regenerate what a writer sent instead of storing it.
 *
 * <p>Not thread-safe; each user owns its instance.
 */
final class SeededBytes {
  /** Writes a long into a byte array in one step: the generator must outrun the pipe. */
  private static final VarHandle LONGS =
      MethodHandles.byteArrayViewVarHandle(long[].class, ByteOrder.LITTLE_ENDIAN);

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
    byte[] chunk = new byte[chunkBytes];
    for (int i = 0; i < chunkBytes; i += Long.BYTES) {
      // xorshift64*: fast, and chunks of different index or seed differ
      state ^= state >>> 12;
      state ^= state << 25;
      state ^= state >>> 27;
      LONGS.set(chunk, i, state * 0x2545F4914F6CDD1DL);
    }
    return ByteString.fromArrayUnsafe(chunk);
  }

  private static long mix(long z) {
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31) | 1L;
  }

  /**
   * The endless chunks of a seed, as a stream: take what you need.
   *
   * @param seed the seed
   * @param chunkBytes the size of each chunk, a positive multiple of 8
   * @return the chunks, in order
   */
  static Source<ByteString, NotUsed> source(long seed, int chunkBytes) {
    return Source.fromIterator(() -> {
      SeededBytes bytes = new SeededBytes(seed, chunkBytes);
      return java.util.stream.Stream.generate(bytes::next).iterator();
    });
  }
}
