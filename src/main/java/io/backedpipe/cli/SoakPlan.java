package io.backedpipe.cli;

import io.backedpipe.wire.HumanText;
import java.time.Duration;

/**
 * What a soak runs.
 *
 * @param profile the network: the proxy's faults and conditions
 * @param duration how long the pipes write; they then end their streams and close cleanly
 * @param pipes how many pipes, each writing both ways at once
 * @param slowReaders how many of them read at {@code slowReaderBytesPerSecond} (both ends)
 * @param slowReaderBytesPerSecond the pace of a slow reader
 * @param faultInterval the mean time between faults of every kind
 * @param seed the seed of the data and of the faults
 * @param chunkBytes the size of each write, a multiple of 8
 * @param writeBytesPerSecond each pipe's writing pace in each direction, 0 for as fast as it can
 * @param timeLimit when to give up after the writing ended, and again on the closing
 */
record SoakPlan(SoakProfile profile, Duration duration, int pipes, int slowReaders,
    long slowReaderBytesPerSecond, Duration faultInterval, long seed, int chunkBytes,
    long writeBytesPerSecond, Duration timeLimit) {

  /**
   * The plan of a profile, with its pace, chunks and slow readers.
   *
   * @param profile the network
   * @param duration how long the pipes write
   * @param pipes how many pipes
   * @param slowReaders how many read slowly
   * @param faultInterval the mean time between short faults
   * @param seed the seed
   * @return the plan, with two minutes to finish after the writing
   */
  static SoakPlan of(SoakProfile profile, Duration duration, int pipes, int slowReaders,
      Duration faultInterval, long seed) {
    return new SoakPlan(profile, duration, pipes, slowReaders,
        profile.slowReaderBytesPerSecond(), faultInterval, seed, profile.chunkBytes(),
        profile.writeBytesPerSecond(), Duration.ofSeconds(120));
  }

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  SoakPlan {
    if (duration.isZero() || duration.isNegative()) {
      throw new IllegalArgumentException(
          "duration=" + HumanText.duration(duration) + " must be > 0");
    }
    if (pipes < 1 || pipes > 1000) {
      throw new IllegalArgumentException("pipes=" + pipes + " must be in 1..1000");
    }
    if (slowReaders < 0 || slowReaders > pipes) {
      throw new IllegalArgumentException(
          "slowReaders=" + slowReaders + " must be in 0..pipes=" + pipes);
    }
    if (faultInterval.isZero() || faultInterval.isNegative()) {
      throw new IllegalArgumentException(
          "faultInterval=" + HumanText.duration(faultInterval) + " must be > 0");
    }
    if (chunkBytes <= 0 || chunkBytes % Long.BYTES != 0) {
      throw new IllegalArgumentException(
          "chunkBytes=" + chunkBytes + " must be a positive multiple of 8");
    }
    if (writeBytesPerSecond < 0) {
      throw new IllegalArgumentException(
          "writeBytesPerSecond=" + writeBytesPerSecond + " must be >= 0");
    }
  }
}
