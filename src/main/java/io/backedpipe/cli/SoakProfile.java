package io.backedpipe.cli;

import io.backedpipe.chaos.ChaosSchedule;
import io.backedpipe.chaos.Fault;
import io.backedpipe.chaos.LinkConditions;
import java.time.Duration;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The network a soak runs over: what the proxy does to every connection, the pipe settings that
 * suit it (heartbeats that catch its blackholes, retries) and how much each pipe writes, so that
 * the writing is heavy for the link but the soak still ends soon after its duration.
 */
enum SoakProfile {
  /**
   * Loopback at full speed with a fault of every kind every few milliseconds: many short
   * blackholes and stalls, so heartbeats are quick (100 ms, dead after 500 ms).
   */
  LAN(Duration.ofMillis(20), Duration.ofSeconds(30), "100ms", "500ms",
      Map.of("backed-pipe.transport.handshake-timeout", "2s",
          "backed-pipe.reconnect.min-backoff", "2ms",
          "backed-pipe.reconnect.max-backoff", "100ms"),
      0, 2_000_000, 16 * 1024) {
    @Override
    ChaosSchedule schedule(Duration faultInterval, long seed) {
      return ChaosSchedule.everyKind(faultInterval, seed);
    }

    @Override
    String describe(Duration faultInterval) {
      return String.format(Locale.ROOT, "a proxy injecting every kind of fault every ~%d ms",
          faultInterval.toMillis());
    }
  },

  /**
   * A mobile network ({@link LinkConditions#mobile()}): 150 ms each way, 16 to 64 KiB/s each way
   * per connection, changing every minute, the link lost without reset for 10 to 30 s after every
   * 20 to 40 s up, and a reset now and then. Heartbeats every 2 s, dead after 8 s, catch every
   * loss; each pipe writes 4 KiB/s each way (a quarter of the lowest rate), so the backlog of a
   * loss drains in the time up.
   */
  MOBILE(Duration.ofSeconds(45), Duration.ofMinutes(5), "2s", "8s",
      Map.of("backed-pipe.transport.handshake-timeout", "5s",
          "backed-pipe.reconnect.min-backoff", "100ms",
          "backed-pipe.reconnect.max-backoff", "2s"),
      4 * 1024, 8 * 1024, 1024) {
    @Override
    ChaosSchedule schedule(Duration faultInterval, long seed) {
      return new ChaosSchedule(faultInterval, 0, Duration.ZERO, Duration.ZERO, seed,
          List.of(Fault.RESET)).withConditions(LinkConditions.mobile());
    }

    @Override
    String describe(Duration faultInterval) {
      LinkConditions c = LinkConditions.mobile();
      return String.format(Locale.ROOT, "a mobile link (%d ms each way, %d-%d KiB/s each way, "
              + "lost for %d-%d s after %d-%d s up) with a reset every ~%d s",
          c.latency().toMillis(), c.minBytesPerSecond() / 1024, c.maxBytesPerSecond() / 1024,
          c.outage().min().toSeconds(), c.outage().max().toSeconds(),
          c.upTime().min().toSeconds(), c.upTime().max().toSeconds(),
          faultInterval.toSeconds());
    }
  };

  private final Duration faultInterval;
  private final Duration duration;
  private final String heartbeatInterval;
  private final String heartbeatTimeout;
  private final Map<String, String> settings;
  private final long writeBytesPerSecond;
  private final long slowReaderBytesPerSecond;
  private final int chunkBytes;

  SoakProfile(Duration faultInterval, Duration duration, String heartbeatInterval,
      String heartbeatTimeout, Map<String, String> settings, long writeBytesPerSecond,
      long slowReaderBytesPerSecond, int chunkBytes) {
    this.faultInterval = faultInterval;
    this.duration = duration;
    this.heartbeatInterval = heartbeatInterval;
    this.heartbeatTimeout = heartbeatTimeout;
    this.settings = settings;
    this.writeBytesPerSecond = writeBytesPerSecond;
    this.slowReaderBytesPerSecond = slowReaderBytesPerSecond;
    this.chunkBytes = chunkBytes;
  }

  /** What the proxy does, from a mean fault interval and a seed. */
  abstract ChaosSchedule schedule(Duration faultInterval, long seed);

  /** The proxy's behaviour in a few words, for the report's first line. */
  abstract String describe(Duration faultInterval);

  /** The mean time between the schedule's short faults when none is given. */
  Duration faultInterval() {
    return faultInterval;
  }

  /** How long the pipes write when no duration is given. */
  Duration duration() {
    return duration;
  }

  /** The heartbeat interval unless given. */
  String heartbeatInterval() {
    return heartbeatInterval;
  }

  /** The heartbeat timeout unless given: shorter than the shortest blackhole it must catch. */
  String heartbeatTimeout() {
    return heartbeatTimeout;
  }

  /** Handshake and retry settings, unless the configuration or options set them. */
  Map<String, String> settings() {
    return settings;
  }

  /** Each pipe's writing pace in each direction, 0 for as fast as its window allows. */
  long writeBytesPerSecond() {
    return writeBytesPerSecond;
  }

  /** The pace of a slow reader. */
  long slowReaderBytesPerSecond() {
    return slowReaderBytesPerSecond;
  }

  /** The size of each write. */
  int chunkBytes() {
    return chunkBytes;
  }
}
