package io.backedpipe.cli;

import java.time.Duration;

/**
 * What a soak runs.
 *
 * @param duration how long the pipes write; they then end their streams and close cleanly
 * @param pipes how many pipes, each writing both ways at once
 * @param slowReaders how many of them read at {@code slowReaderBytesPerSecond} (both ends)
 * @param slowReaderBytesPerSecond the pace of a slow reader
 * @param faultInterval the mean time between faults of every kind
 * @param seed the seed of the data and of the faults
 * @param chunkBytes the size of each write, a multiple of 8
 * @param timeLimit when to give up after the writing ended
 */
record SoakPlan(Duration duration, int pipes, int slowReaders, long slowReaderBytesPerSecond,
    Duration faultInterval, long seed, int chunkBytes, Duration timeLimit) {

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  SoakPlan {
    if (duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException("duration=" + duration + " must be > 0");
    }
    if (pipes < 1 || pipes > 1000) {
      throw new IllegalArgumentException("pipes=" + pipes + " must be in 1..1000");
    }
    if (slowReaders < 0 || slowReaders > pipes) {
      throw new IllegalArgumentException(
          "slowReaders=" + slowReaders + " must be in 0..pipes=" + pipes);
    }
    if (faultInterval.isZero() || faultInterval.isNegative()) {
      throw new IllegalArgumentException("faultInterval=" + faultInterval + " must be > 0");
    }
    if (chunkBytes <= 0 || chunkBytes % Long.BYTES != 0) {
      throw new IllegalArgumentException(
          "chunkBytes=" + chunkBytes + " must be a positive multiple of 8");
    }
  }
}
