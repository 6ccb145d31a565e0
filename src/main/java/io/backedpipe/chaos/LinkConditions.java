package io.backedpipe.chaos;

import io.backedpipe.wire.HumanText;
import java.time.Duration;
import java.util.SplittableRandom;

/**
 * The sustained state of every link through a {@link ChaosProxy} or {@link ChaosReconnector}, on
 * top of which its {@link ChaosSchedule}'s short faults come and go: a latency each way, a
 * bandwidth limit each way that a seeded choice changes now and then, and link losses without
 * reset (blackholes) that come after a seeded time up and last a seeded time. A fault that
 * reshapes a link (a delay or a bandwidth limit) lasts until the next fault and then gives way to
 * these conditions again. By default ({@link #NONE}) there are none.
 *
 * <p>A delay ends on a timer of the actor system that runs the proxy, so it is late by two or three
 * of the scheduler's ticks ({@code pekko.scheduler.tick-duration}, 10 ms by default): a latency of
 * 25 ms each way made a round trip of about 100 ms with the default tick, and 55 ms with a tick of
 * 1 ms. Give the proxy a system of its own with a short tick where the round trip matters.
 *
 * <pre>{@code
 * ChaosSchedule schedule = new ChaosSchedule(Duration.ofSeconds(45), 0, Duration.ZERO,
 *     Duration.ZERO, 42, List.of(Fault.RESET)).withConditions(LinkConditions.mobile());
 * }</pre>
 *
 * @param latency how long every element travels in each direction ({@code ZERO} for none)
 * @param minBytesPerSecond the lowest limit picked, {@code > 0} when limited
 * @param maxBytesPerSecond the highest limit picked; 0 for no limit
 * @param rateChangeEvery how often a new limit is picked
 * @param upTime how long the links stay up between losses
 * @param outage how long a loss lasts; {@link DurationRange#NEVER} for no losses
 */
public record LinkConditions(Duration latency, long minBytesPerSecond, long maxBytesPerSecond,
    Duration rateChangeEvery, DurationRange upTime, DurationRange outage) {

  /** No latency, no limit, no losses. */
  public static final LinkConditions NONE = new LinkConditions(Duration.ZERO, 0, 0,
      Duration.ZERO, DurationRange.NEVER, DurationRange.NEVER);

  /**
   * Validates the values.
   *
   * @param latency see the record's description
   * @param minBytesPerSecond see the record's description
   * @param maxBytesPerSecond see the record's description
   * @param rateChangeEvery see the record's description
   * @param upTime see the record's description
   * @param outage see the record's description
   * @throws IllegalArgumentException when a value is out of range
   */
  public LinkConditions {
    if (latency.isNegative()) {
      throw new IllegalArgumentException(
          "latency=" + HumanText.duration(latency) + " must be >= 0");
    }
    if (maxBytesPerSecond != 0
        && (minBytesPerSecond <= 0 || minBytesPerSecond > maxBytesPerSecond)) {
      throw new IllegalArgumentException("minBytesPerSecond=" + minBytesPerSecond
          + " and maxBytesPerSecond=" + maxBytesPerSecond + " must satisfy 0 < min <= max");
    }
    if (maxBytesPerSecond > minBytesPerSecond
        && (rateChangeEvery.isZero() || rateChangeEvery.isNegative())) {
      throw new IllegalArgumentException(
          "rateChangeEvery=" + HumanText.duration(rateChangeEvery) + " must be > 0");
    }
    if (!outage.isZero() && upTime.isZero()) {
      throw new IllegalArgumentException("upTime=" + upTime + " must be > 0 with outages");
    }
  }

  /**
   * A mobile network: 150 ms each way (a 300 ms round trip), 16 to 64 KiB/s each way, a new rate
   * every minute, and the link lost without reset for 10 to 30 s after every 20 to 40 s up.
   *
   * @return the conditions
   */
  public static LinkConditions mobile() {
    return new LinkConditions(Duration.ofMillis(150), 16 * 1024, 64 * 1024,
        Duration.ofMinutes(1), new DurationRange(Duration.ofSeconds(20), Duration.ofSeconds(40)),
        new DurationRange(Duration.ofSeconds(10), Duration.ofSeconds(30)));
  }

  /**
   * A copy with another latency.
   *
   * @param latency how long every element travels each way
   * @return the copy
   */
  public LinkConditions withLatency(Duration latency) {
    return new LinkConditions(latency, minBytesPerSecond, maxBytesPerSecond, rateChangeEvery,
        upTime, outage);
  }

  /**
   * A copy with other link losses.
   *
   * @param upTime how long the links stay up between losses
   * @param outage how long a loss lasts
   * @return the copy
   */
  public LinkConditions withOutages(DurationRange upTime, DurationRange outage) {
    return new LinkConditions(latency, minBytesPerSecond, maxBytesPerSecond, rateChangeEvery,
        upTime, outage);
  }

  /**
   * Whether links are bandwidth-limited.
   *
   * @return true when a maximum rate is set
   */
  public boolean limited() {
    return maxBytesPerSecond > 0;
  }

  /**
   * Whether links are lost now and then.
   *
   * @return true when outages have a length
   */
  public boolean losesLinks() {
    return !outage.isZero();
  }

  /** A limit between the bounds, or 0 when not limited. */
  long pickRate(SplittableRandom random) {
    if (!limited()) {
      return 0;
    }
    return maxBytesPerSecond > minBytesPerSecond
        ? random.nextLong(minBytesPerSecond, maxBytesPerSecond + 1) : minBytesPerSecond;
  }
}
