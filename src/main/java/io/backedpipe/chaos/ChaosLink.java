package io.backedpipe.chaos;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * One faulty link: a stage to put in a connection, both directions, with controls that break it.
 * As a Pekko Streams stage it goes between a pipe and its transport ({@link ChaosReconnector} puts
 * one in every connection a {@link io.backedpipe.Reconnector} makes) or between two TCP legs
 * ({@link ChaosProxy}).
 *
 * <ul>
 *   <li>{@link #reset()}: both directions fail at once; {@link #close()}: both complete (an EOF
 *       in the middle of the stream).
 *   <li>{@link #blackhole()} / {@link #open()}: nothing moves and nothing closes, until opened;
 *       {@link #stall(Duration)}: the same for a while. Any length works (a 30 s link loss is a
 *       30 s stall). What is held is delivered after it ends, in order: a real link drops those
 *       packets and TCP sends them again, so peers of a TCP-level link see the same, and never
 *       an RST; only their heartbeats can tell.
 *   <li>{@link #delay(Duration)}: a propagation delay, every element arrives this long after it
 *       was sent, many in flight at once (150 ms each way is a 300 ms round trip, and throughput
 *       stays); {@link #limit(long)}: at most so many bytes per second in each direction, as a
 *       token bucket that holds its rate over any length of time (bytes are cut into pieces of
 *       20 ms that trickle; a frame too large for one second's budget waits until it may pass
 *       whole); together they make a slow, long link ({@link #shape}); {@link #unshaped()} ends
 *       both.
 *   <li>{@link #cutAfter(long)}: once so many more bytes passed (both directions together), the
 *       direction that passes the last of them fails; the bytes before the cut pass, the rest of
 *       that element does not.
 * </ul>
 *
 * <p>One instance is one link: materialize {@link #bidi()} once. The controls may be called from
 * any thread: they swap an immutable {@link LinkPlan}, which the stages read; neither waits for
 * the other.
 *
 * @param <T> the elements: {@link Sizer#BYTES} for TCP bytes, {@link Sizer#FRAMES} for a pipe's
 *     frames
 */
public final class ChaosLink<T> {
  /** No cut planned. */
  static final long NO_CUT = Long.MAX_VALUE;

  private final Sizer<T> sizer;
  private final SharedKillSwitch killSwitch;
  private final AtomicReference<LinkPlan> plan;
  private final AtomicLong untilCut = new AtomicLong(NO_CUT);

  private ChaosLink(Sizer<T> sizer, String name, LinkPlan initial) {
    this.sizer = sizer;
    this.killSwitch = KillSwitches.shared(name);
    this.plan = new AtomicReference<>(initial);
  }

  /**
   * A link that lets everything through until told otherwise.
   *
   * @param sizer measures and cuts elements
   * @param name names the link's kill switch (for logs)
   * @param <T> the elements
   * @return the link
   */
  public static <T> ChaosLink<T> create(Sizer<T> sizer, String name) {
    return new ChaosLink<>(sizer, name, LinkPlan.open());
  }

  /** A link that holds everything until {@link #open()}: so none slips through a blackhole. */
  static <T> ChaosLink<T> shut(Sizer<T> sizer, String name) {
    return new ChaosLink<>(sizer, name, LinkPlan.open().withGate(new CompletableFuture<>(), 0));
  }

  /**
   * The stage: top is one direction, bottom the other, each faulted alike.
   *
   * @return the stage, to materialize once
   */
  public BidiFlow<T, T, T, T, NotUsed> bidi() {
    return BidiFlow.fromFlows(direction(), direction());
  }

  private Flow<T, T, NotUsed> direction() {
    return Flow.fromGraph(new ChaosDirection<>(sizer, plan, untilCut)).via(killSwitch.flow());
  }

  /** What the link does now (for tests). */
  LinkPlan plan() {
    return plan.get();
  }

  /** Both directions fail at once, as after a reset. */
  public void reset() {
    killSwitch.abort(new IOException("chaos: reset"));
  }

  /** Both directions complete, as after an orderly close in the middle of the stream. */
  public void close() {
    killSwitch.shutdown();
  }

  /** Holds everything back, closing nothing, until {@link #open()}. */
  public void blackhole() {
    swapGate(p -> p.holding(System.nanoTime()) && p.reopenAtNanos() == 0 ? p
        : p.withGate(new CompletableFuture<>(), 0));
  }

  /** Lets everything through again. */
  public void open() {
    plan.getAndUpdate(p -> p.withGate(CompletableFuture.completedFuture(Done.getInstance()), 0))
        .gate().complete(Done.getInstance());
  }

  /**
   * Holds everything back for a while (a blackhole that ends by itself).
   *
   * @param duration how long
   */
  public void stall(Duration duration) {
    long until = System.nanoTime() + duration.toNanos();
    swapGate(p -> p.withGate(new CompletableFuture<>(), until));
  }

  /**
   * Installs a new gate and opens the one it replaces: elements held on the old gate look at the
   * new plan again (otherwise one held before a stall replaced a blackhole would wait for ever).
   */
  private void swapGate(java.util.function.UnaryOperator<LinkPlan> update) {
    LinkPlan before = plan.getAndUpdate(update);
    if (plan.get().gate() != before.gate()) {
      before.gate().complete(Done.getInstance());
    }
  }

  /**
   * Delays every element sent from now on (a propagation delay: elements travel together, in
   * order).
   *
   * @param delay how long each travels
   */
  public void delay(Duration delay) {
    plan.getAndUpdate(p -> p.withShaping(delay.toNanos(), p.bytesPerSecond()));
  }

  /**
   * Limits each direction from now on.
   *
   * @param bytesPerSecond the most bytes per second
   * @throws IllegalArgumentException if not positive
   */
  public void limit(long bytesPerSecond) {
    if (bytesPerSecond <= 0) {
      throw new IllegalArgumentException("bytesPerSecond=" + bytesPerSecond + " must be > 0");
    }
    plan.getAndUpdate(p -> p.withShaping(p.delayNanos(), bytesPerSecond));
  }

  /**
   * Sets the delay and the limit at once, replacing both (a sustained condition, such as a mobile
   * link, that faults on top of it come back to).
   *
   * @param delay how long each element travels, {@link Duration#ZERO} for no delay
   * @param bytesPerSecond the most bytes per second in each direction, 0 for no limit
   * @throws IllegalArgumentException if negative
   */
  public void shape(Duration delay, long bytesPerSecond) {
    if (bytesPerSecond < 0 || delay.isNegative()) {
      throw new IllegalArgumentException("delay=" + io.backedpipe.wire.HumanText.duration(delay)
          + " and bytesPerSecond=" + bytesPerSecond + " must be >= 0");
    }
    plan.getAndUpdate(p -> p.withShaping(delay.toNanos(), bytesPerSecond));
  }

  /** Ends delays and bandwidth limits. */
  public void unshaped() {
    plan.getAndUpdate(p -> p.withShaping(0, 0));
  }

  /**
   * Fails the link once {@code bytes} more bytes passed.
   *
   * @param bytes how many may still pass, {@code >= 0}
   * @throws IllegalArgumentException if negative
   */
  public void cutAfter(long bytes) {
    if (bytes < 0) {
      throw new IllegalArgumentException("bytes=" + bytes + " must be >= 0");
    }
    untilCut.set(bytes);
  }
}
