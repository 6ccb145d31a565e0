package io.backedpipe.chaos;

import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
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
 * One direction of a {@link ChaosLink}: holds elements while the link is blackholed or stalled,
 * delays and paces them, and fails after the planned cut. One element at a time, timed with the
 * stage's own timers.
 *
 * @param <T> the elements
 */
final class ChaosDirection<T> extends GraphStage<FlowShape<T, T>> {
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

  @Override
  public FlowShape<T, T> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new TimerGraphStageLogic(shape) {
      private T held;
      /** The element waited out its delay and pacing; it only needs the gate now. */
      private boolean shaped;
      private long nextFreeNanos;
      private final AsyncCallback<Object> recheck = createAsyncCallback(any -> release());

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            held = grab(in);
            shaped = false;
            release();
          }

          @Override
          public void onUpstreamFinish() {
            if (held == null) {
              completeStage();
            }
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            if (held == null && !hasBeenPulled(in)) {
              pull(in);
            }
          }
        });
      }

      @Override
      public void onTimer(Object key) {
        release();
      }

      /** Passes the held element on once the plan allows, or waits for what would allow it. */
      private void release() {
        if (held == null) {
          return;
        }
        LinkPlan now = plan.get();
        long time = System.nanoTime();
        if (now.holding(time)) {
          now.gate().thenRun(() -> recheck.invoke(Boolean.TRUE));
          if (now.reopenAtNanos() != 0) {
            scheduleOnce(TIMER, Duration.ofNanos(now.reopenAtNanos() - time));
          }
          return;
        }
        if (!shaped) {
          shaped = true;
          long wait = now.delayNanos();
          if (now.bytesPerSecond() > 0) {
            long start = Math.max(time, nextFreeNanos);
            nextFreeNanos = start + sizer.size(held) * 1_000_000_000L / now.bytesPerSecond();
            wait += nextFreeNanos - time;
          }
          if (wait > 0) {
            scheduleOnce(TIMER, Duration.ofNanos(wait));
            return;
          }
        }
        T element = held;
        held = null;
        emitUnlessCut(element);
        if (isClosed(in)) {
          completeStage();
        }
      }

      private void emitUnlessCut(T element) {
        int size = sizer.size(element);
        long before = untilCut.get() == ChaosLink.NO_CUT ? ChaosLink.NO_CUT
            : untilCut.getAndAdd(-size);
        if (before > size) {
          push(out, element);
        } else if (before > 0) {
          push(out, sizer.prefix(element, (int) before)); // delivered before the failure
          failStage(new IOException("chaos: cut"));
        } else {
          failStage(new IOException("chaos: cut"));
        }
      }
    };
  }
}
