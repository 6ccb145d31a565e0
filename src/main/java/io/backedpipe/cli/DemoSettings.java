package io.backedpipe.cli;

import com.typesafe.config.Config;
import io.backedpipe.chaos.ChaosSchedule;
import io.backedpipe.wire.HumanText;
import java.time.Duration;

/**
 * The demo's settings, from {@code backed-pipe.demo} (documented in the tool's
 * {@code io/backedpipe/cli/tool-reference.conf}).
 *
 * @param bytes how many bytes to echo, over all streams together
 * @param streams how many streams (local connections) share them
 * @param chunkBytes the size of each write, a multiple of 8
 * @param faultInterval the mean time between faults of the link; zero for none
 * @param blackholeChance the probability that a fault is a blackhole
 * @param blackholeMin the shortest blackhole
 * @param blackholeMax the longest blackhole
 * @param seed the seed of the data and of the faults
 * @param progressInterval how often progress is shown
 * @param timeLimit when to give up with a failing verdict
 */
record DemoSettings(long bytes, int streams, int chunkBytes, Duration faultInterval,
    double blackholeChance, Duration blackholeMin, Duration blackholeMax, long seed,
    Duration progressInterval, Duration timeLimit) {

  /**
   * Validates the values.
   *
   * @throws IllegalArgumentException naming the bad value
   */
  DemoSettings {
    if (bytes <= 0) {
      throw new IllegalArgumentException("bytes=" + bytes + " must be > 0");
    }
    if (streams <= 0 || streams > 1000) {
      throw new IllegalArgumentException("streams=" + streams + " must be in 1..1000");
    }
    if (chunkBytes <= 0 || chunkBytes % Long.BYTES != 0) {
      throw new IllegalArgumentException(
          "chunk-bytes=" + chunkBytes + " must be a positive multiple of 8");
    }
    if (progressInterval.isZero() || progressInterval.isNegative()) {
      throw new IllegalArgumentException(
          "progress-interval=" + HumanText.duration(progressInterval) + " must be > 0");
    }
    new ChaosSchedule(faultInterval, blackholeChance, blackholeMin, blackholeMax, seed); // checks
  }

  static DemoSettings fromConfig(Config config) {
    return new DemoSettings(
        config.getBytes("bytes"),
        config.getInt("streams"),
        Math.toIntExact(config.getBytes("chunk-bytes")),
        config.getDuration("fault-interval"),
        config.getDouble("blackhole-chance"),
        config.getDuration("blackhole-min"),
        config.getDuration("blackhole-max"),
        config.getLong("seed"),
        config.getDuration("progress-interval"),
        config.getDuration("time-limit"));
  }

  /**
   * The fault schedule of the demo's proxy.
   *
   * @return the schedule
   */
  ChaosSchedule chaos() {
    return new ChaosSchedule(faultInterval, blackholeChance, blackholeMin, blackholeMax, seed);
  }

  /**
   * The bytes each stream sends: an equal share, rounded up to whole chunks.
   *
   * @return the chunks per stream
   */
  long chunksPerStream() {
    long perStream = (bytes + streams - 1) / streams;
    return (perStream + chunkBytes - 1) / chunkBytes;
  }
}
