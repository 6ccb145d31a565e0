package io.backedpipe.chaos;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * One direction of a {@link ChaosLink}, modelled as a wire: an element first waits for the
 * bandwidth limit (a {@link TokenBucket}; divisible elements are cut into pieces that trickle),
 * then travels for the plan's delay, then leaves, in order. The delay is a propagation delay: many
 * elements travel at once, so it adds latency without dividing throughput. While the link is
 * blackholed or stalled nothing enters the wire and nothing leaves it; what is on it stays there
 * and arrives after the gate opens (TCP would retransmit what a real link dropped, so a TCP-level
 * proxy that holds bytes and delivers them later is what the peers would see, minus the RST).
 * A cut fails the direction when the element that crosses it leaves.
 *
 * <p>The wire holds at most {@link #MAX_IN_FLIGHT_BYTES} and {@link #MAX_IN_FLIGHT_ELEMENTS};
 * beyond that it back-pressures, as does a direction without delay once one element waits.
 *
 * @param <T> the elements
 */
final class ChaosDirection<T> extends GraphStage<FlowShape<T, T>> {
  /**
   * The most bytes a delayed direction holds in flight: a bandwidth-delay product far above any
   * limit the kit sets (64 KiB/s for 150 ms is about 10 KiB), and small enough for many links.
   */
  static final long MAX_IN_FLIGHT_BYTES = 4L * 1024 * 1024;
  /** The most elements a delayed direction holds in flight (frames other than DATA weigh 0). */
  static final int MAX_IN_FLIGHT_ELEMENTS = 4096;

  private static final String TIMER = "chaos";

  private final Inlet<T> in = Inlet.create("ChaosDirection.in");
  private final Outlet<T> out = Outlet.create("ChaosDirection.out");
  private final FlowShape<T, T> shape = FlowShape.of(in, out);
  private final Sizer<T> sizer;
  private final AtomicReference<LinkPlan> plan;
  private final AtomicLong untilCut;

  ChaosDirection(Sizer<T> sizer, AtomicReference<LinkPlan> plan, AtomicLong untilCut) {
    this.sizer = sizer;
    this.plan = plan;
    this.untilCut = untilCut;
  }

  /** An element on the wire and when it arrives ({@link System#nanoTime}). */
  private record InFlight<T>(T element, long dueNanos) {}

  @Override
  public FlowShape<T, T> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      /** The element (or the rest of one) waiting for the gate and the bandwidth limit. */
      private T pending;
      private final ArrayDeque<InFlight<T>> wire = new ArrayDeque<>();
      private long wireBytes;
      /** Arrival times never go backwards, so a shorter delay set later keeps the order. */
      private long lastDueNanos = Long.MIN_VALUE;
      private final TokenBucket bucket = new TokenBucket();
      /** The gate a recheck is already registered on, so a long blackhole registers one. */
      private CompletableFuture<Done> watchedGate;
      private final AsyncCallback<Object> recheck = createAsyncCallback(any -> advance());

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            pending = grab(in);
            advance();
          }

          @Override
          public void onUpstreamFinish() {
            completeIfDrained();
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            advance();
          }
        });
      }

      @Override
      public void preStart() {
        pull(in);
      }

      @Override
      public void onTimer(Object key) {
        advance();
      }

      /** Moves elements as far as the plan allows now, then waits for what would move more. */
      private void advance() {
        LinkPlan now = plan.get();
        long time = System.nanoTime();
        if (now.holding(time)) {
          awaitGate(now, time);
        } else if (admit(now, time) && emit(time)) {
          if (!completeIfDrained()) {
            pullIfRoom(now);
            scheduleWakeUp(now, time);
          }
        }
      }

      /**
       * Puts the pending element (or its pieces) on the wire while the limit allows.
       *
       * @return false if the stage failed
       */
      private boolean admit(LinkPlan now, long time) {
        while (pending != null && hasRoom(now)) {
          int size = sizer.size(pending);
          T piece = pending;
          T rest = null;
          if (now.bytesPerSecond() == 0) {
            bucket.unlimited();
          } else {
            int need = need(size, now.bytesPerSecond());
            if (!bucket.tryTake(need, now.bytesPerSecond(), time)) {
              return true;
            }
            if (need < size) {
              piece = sizer.prefix(pending, need);
              rest = sizer.suffix(pending, need);
            }
          }
          lastDueNanos = Math.max(lastDueNanos, time + now.delayNanos());
          wire.add(new InFlight<>(piece, lastDueNanos));
          wireBytes += sizer.size(piece);
          pending = rest;
        }
        return true;
      }

      /** The credit the pending element needs: a piece of it, or all of it if indivisible. */
      private int need(int size, long bytesPerSecond) {
        return sizer.divisible() ? Math.min(size, TokenBucket.pieceBytes(bytesPerSecond)) : size;
      }

      /** A delayed wire holds up to its bounds; an undelayed one a single element. */
      private boolean hasRoom(LinkPlan now) {
        return now.delayNanos() > 0
            ? wireBytes < MAX_IN_FLIGHT_BYTES && wire.size() < MAX_IN_FLIGHT_ELEMENTS
            : wire.isEmpty();
      }

      /**
       * Passes on the first element on the wire if it arrived and is wanted.
       *
       * @return false if the stage failed
       */
      private boolean emit(long time) {
        InFlight<T> first = wire.peek();
        if (first == null || first.dueNanos() - time > 0 || !isAvailable(out)) {
          return true;
        }
        wire.poll();
        wireBytes -= sizer.size(first.element());
        return emitUnlessCut(first.element());
      }

      private void pullIfRoom(LinkPlan now) {
        if (pending == null && !isClosed(in) && !hasBeenPulled(in) && hasRoom(now)) {
          pull(in);
        }
      }

      /** The next time something could move by itself: an arrival, or credit for the pending. */
      private void scheduleWakeUp(LinkPlan now, long time) {
        long wait = Long.MAX_VALUE;
        InFlight<T> first = wire.peek();
        if (first != null && first.dueNanos() - time > 0) {
          wait = first.dueNanos() - time;
        }
        if (pending != null && now.bytesPerSecond() > 0 && hasRoom(now)) {
          wait = Math.min(wait, bucket.nanosUntil(need(sizer.size(pending), now.bytesPerSecond())));
        }
        if (wait != Long.MAX_VALUE) {
          scheduleOnce(TIMER, Duration.ofNanos(wait));
        }
      }

      private void awaitGate(LinkPlan now, long time) {
        if (watchedGate != now.gate()) {
          watchedGate = now.gate();
          now.gate().thenRun(() -> recheck.invoke(Boolean.TRUE));
        }
        if (now.reopenAtNanos() != 0) {
          scheduleOnce(TIMER, Duration.ofNanos(now.reopenAtNanos() - time));
        }
        if (pending == null && !isClosed(in) && !hasBeenPulled(in) && wire.isEmpty()) {
          pull(in); // the element a blackhole holds, as before wires were modelled
        }
      }

      /** Completes once upstream finished and nothing is left to deliver. */
      private boolean completeIfDrained() {
        if (isClosed(in) && pending == null && wire.isEmpty()) {
          completeStage();
          return true;
        }
        return false;
      }

      /**
       * Pushes the element, or the part of it before the cut and then fails.
       *
       * @return false if the stage failed
       */
      private boolean emitUnlessCut(T element) {
        int size = sizer.size(element);
        long before = untilCut.get() == ChaosLink.NO_CUT ? ChaosLink.NO_CUT
            : untilCut.getAndAdd(-size);
        if (before > size) {
          push(out, element);
          return true;
        }
        if (before > 0) {
          push(out, sizer.prefix(element, (int) before)); // delivered before the failure
        }
        failStage(new IOException("chaos: cut"));
        return false;
      }
    };
  }
}
