package io.backedpipe.transport;

import io.backedpipe.wire.Frame;
import java.time.Duration;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * Heartbeats, the frame half, as one stage: a {@code PING} goes out when no frame was sent for
 * the interval, and {@code PING} and {@code PONG} from the peer never reach the pipe. What
 * declares a link dead is {@link LinkLiveness}, on the bytes. It sits above the handshake, so no
 * {@code PING} goes out before the handshake is over (a server takes nothing but a {@code HELLO}
 * first).
 *
 * <p>Ports: {@code in1} frames from the pipe, {@code out1} towards the peer; {@code in2} frames
 * from the peer, {@code out2} towards the pipe. State lives in the logic.
 */
final class Heartbeat extends GraphStage<BidiShape<Frame, Frame, Frame, Frame>> {
  private static final String TIMER = "heartbeat";
  private static final Frame.Ping PING = new Frame.Ping(0);

  private final Inlet<Frame> fromPipe = Inlet.create("Heartbeat.fromPipe");
  private final Outlet<Frame> toPeer = Outlet.create("Heartbeat.toPeer");
  private final Inlet<Frame> fromPeer = Inlet.create("Heartbeat.fromPeer");
  private final Outlet<Frame> toPipe = Outlet.create("Heartbeat.toPipe");
  private final BidiShape<Frame, Frame, Frame, Frame> shape =
      BidiShape.of(fromPipe, toPeer, fromPeer, toPipe);
  private final Duration interval;

  /**
   * Creates the stage.
   *
   * @param interval how long the way to the peer may stay without a frame
   */
  Heartbeat(Duration interval) {
    this.interval = interval;
  }

  @Override
  public BidiShape<Frame, Frame, Frame, Frame> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      private final long intervalNanos = interval.toNanos();
      /** When the last frame went out; the timer checks it instead of being reset per frame. */
      private long lastSentNanos;
      /** The interval passed while the peer's side could not take a frame: send one when it can. */
      private boolean pingOwed;
      /** A frame of the pipe's that came while a PING had taken the peer side's demand. */
      private Frame pending;

      {
        setHandler(fromPipe, new AbstractInHandler() {
          @Override
          public void onPush() {
            Frame frame = grab(fromPipe);
            if (isAvailable(toPeer)) {
              send(frame);
            } else {
              pending = frame; // a PING took the demand this frame was pulled for
            }
          }

          @Override
          public void onUpstreamFinish() {
            if (pending == null) {
              finishToPeer();
            }
          }
        });
        setHandler(toPeer, new AbstractOutHandler() {
          @Override
          public void onPull() {
            if (pending != null) {
              send(pending);
              pending = null;
              if (isClosed(fromPipe)) {
                finishToPeer();
              }
            } else if (pingOwed) {
              pingOwed = false;
              send(PING);
            } else if (!hasBeenPulled(fromPipe) && !isClosed(fromPipe)) {
              pull(fromPipe);
            }
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancelTimer(TIMER);
            cancel(fromPipe, cause);
          }
        });
        setHandler(fromPeer, new AbstractInHandler() {
          @Override
          public void onPush() {
            Frame frame = grab(fromPeer);
            if (frame instanceof Frame.Ping || frame instanceof Frame.Pong) {
              pull(fromPeer);
            } else {
              push(toPipe, frame);
            }
          }

          @Override
          public void onUpstreamFinish() {
            complete(toPipe); // the peer's half-close: the way to it stays open
          }

          @Override
          public void onUpstreamFailure(Throwable error) {
            fail(toPipe, error);
          }
        });
        setHandler(toPipe, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(fromPeer);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(fromPeer, cause); // the pipe may still write
          }
        });
      }

      private void send(Frame frame) {
        lastSentNanos = System.nanoTime();
        push(toPeer, frame);
      }

      private void finishToPeer() {
        cancelTimer(TIMER);
        complete(toPeer);
      }

      @Override
      public void preStart() {
        lastSentNanos = System.nanoTime();
        scheduleOnce(TIMER, interval);
      }

      @Override
      public void onTimer(Object key) {
        long idleFor = System.nanoTime() - lastSentNanos;
        if (idleFor < intervalNanos) {
          scheduleOnce(TIMER, Duration.ofNanos(intervalNanos - idleFor));
          return;
        }
        if (isAvailable(toPeer)) {
          send(PING);
        } else {
          pingOwed = true; // a frame is on its way, or the peer is slow: one PING at most
        }
        scheduleOnce(TIMER, interval);
      }
    };
  }
}
