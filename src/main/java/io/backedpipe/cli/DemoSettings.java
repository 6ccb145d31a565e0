package io.backedpipe.cli;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The demo's settings, from {@code backed-pipe.demo}.
 *
 * @param bytes how many bytes to echo
 * @param chunkBytes the size of each write
 * @param faultInterval how often the link is broken
 * @param seed the seed of the data and of the faults
 * @param progressInterval how often a progress line is printed
 * @param timeLimit when to give up with a failing verdict
 */
record DemoSettings(long bytes, int chunkBytes, Duration faultInterval, long seed,
    Duration progressInterval, Duration timeLimit) {

  static DemoSettings fromConfig(Config config) {
    return new DemoSettings(
        config.getBytes("bytes"),
        Math.toIntExact(config.getBytes("chunk-bytes")),
        config.getDuration("fault-interval"),
        config.getLong("seed"),
        config.getDuration("progress-interval"),
        config.getDuration("time-limit"));
  }
}
