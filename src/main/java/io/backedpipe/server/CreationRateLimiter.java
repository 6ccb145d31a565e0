package io.backedpipe.server;

import java.net.InetAddress;
import java.util.Iterator;
import java.util.LinkedHashMap;
import java.util.Map;

/**
 * How fast each source address may create streams: one token bucket per address that holds at
 * most {@code burst} creations and refills at {@code ratePerSecond}. An address never seen, or
 * idle long enough to fill its bucket again, has a full bucket, so such addresses need no state:
 * their buckets are dropped (least recently used first, checked on every call), and at most
 * {@link #MAX_ADDRESSES} are kept at all (beyond that the least recently used one is forgotten,
 * which can only give it more credit, never less).
 *
 * <p>Not thread-safe; owned by one actor (the {@link PipeRegistry}, or a cluster node's quota). Time is passed in, so it is
 * tested without a clock.
 */
public final class CreationRateLimiter {
  /** The most addresses whose buckets are remembered at once. */
  static final int MAX_ADDRESSES = 10_000;
  private static final double NANOS_PER_SECOND = 1e9;

  /** Credit in creations (fractional while refilling), as of {@code refilledAtNs}. */
  private record Bucket(double tokens, long refilledAtNs) {}

  private final double ratePerSecond;
  private final int burst;
  /** In the order of last use: the head is the least recently used. */
  private final Map<InetAddress, Bucket> buckets = new LinkedHashMap<>();

  /**
   * Creates the limiter.
   *
   * @param ratePerSecond creations per second and address, on average; more than 0
   * @param burst creations an address may make at once; at least 1
   */
  public CreationRateLimiter(double ratePerSecond, int burst) {
    if (!(ratePerSecond > 0) || burst < 1) {
      throw new IllegalArgumentException(
          "ratePerSecond=" + ratePerSecond + " burst=" + burst + " must be > 0");
    }
    this.ratePerSecond = ratePerSecond;
    this.burst = burst;
  }

  /**
   * Takes one creation of {@code address}'s credit if it has any.
   *
   * @param source the source address (an IPv6 address counts by its /64 prefix)
   * @param nowNs the current time on a monotonic clock, in nanoseconds
   * @return whether the address may create a stream now
   */
  public boolean tryCreate(InetAddress source, long nowNs) {
    InetAddress address = SourceAddress.key(source);
    forgetIdle(nowNs);
    Bucket bucket = buckets.remove(address); // put back last: the most recently used
    double tokens = bucket == null ? burst : refilled(bucket, nowNs);
    boolean allowed = tokens >= 1;
    buckets.put(address, new Bucket(allowed ? tokens - 1 : tokens, nowNs));
    if (buckets.size() > MAX_ADDRESSES) {
      buckets.remove(buckets.keySet().iterator().next());
    }
    return allowed;
  }

  /**
   * The number of addresses remembered.
   *
   * @return the count
   */
  int addresses() {
    return buckets.size();
  }

  private double refilled(Bucket bucket, long nowNs) {
    double elapsedSeconds = Math.max(0, nowNs - bucket.refilledAtNs()) / NANOS_PER_SECOND;
    return Math.min(burst, bucket.tokens() + elapsedSeconds * ratePerSecond);
  }

  /** Drops full buckets from the least recently used end, up to the first that is not full. */
  private void forgetIdle(long nowNs) {
    Iterator<Bucket> it = buckets.values().iterator();
    while (it.hasNext() && refilled(it.next(), nowNs) >= burst) {
      it.remove();
    }
  }
}
