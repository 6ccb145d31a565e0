package io.backedpipe.transport;

import io.backedpipe.PipeException;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import io.backedpipe.wire.HumanText;
import java.time.Duration;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * The shared logic of both handshake stages, and the connection's heartbeat after it: until
 * {@link #open()} only handshake frames move (the pipe's side is not pulled); afterwards frames
 * pass straight through in both directions, each direction ends on its own (half-close), a
 * {@code PING} goes out when no frame was sent for the heartbeat interval, and the peer's
 * {@code PING}s and {@code PONG}s never reach the pipe. The whole handshake must finish within
 * the timeout. What declares a link dead is {@link LinkLiveness}, on the bytes.
 *
 * <p>The heartbeat lives here rather than in a stage of its own because a connection keeps every
 * stage it was made with for as long as it lives: a stage more costs each idle pipe end about half
 * a KiB. No {@code PING} goes out before the handshake is over (a server takes nothing but a
 * {@code HELLO} first).
 *
 * <p>The pipe's side may end before the handshake does (a server refuses a connection it has
 * already handed to a pipe): that end is held back until the handshake's answer has gone out.
 *
 * <p>Ports: {@code in1} from the pipe, {@code out1} to the wire, {@code in2} from the wire,
 * {@code out2} to the pipe. All state lives in the logic.
 */
abstract class HandshakeLogic extends TimerGraphStageLogic {
  private static final String TIMEOUT_TIMER = "handshake-timeout";
  private static final String HEARTBEAT_TIMER = "heartbeat";
  private static final Frame.Ping PING = new Frame.Ping(0);

  protected final Inlet<Frame> fromPipe;
  protected final Outlet<Frame> toWire;
  protected final Inlet<Frame> fromWire;
  protected final Outlet<Frame> toPipe;
  private final Duration timeout;
  /** How long the way to the peer may stay without a frame once open; null for no heartbeat. */
  private final Duration heartbeat;
  private boolean open;
  /** When the last frame went out; the heartbeat's timer checks it instead of being reset. */
  private long lastSentNanos;
  /** The interval passed while the wire could not take a frame: send a PING when it can. */
  private boolean pingOwed;
  /** A frame of the pipe's that came while a PING had taken the wire's demand. */
  private Frame pending;
  /** How the pipe's side ended before the handshake did; applied once it is over. */
  private boolean pipeFinished;
  private Throwable pipeFailure;
  private Throwable pipeCancelled;
  /** The wire stopped taking frames before the handshake was done. */
  private boolean wireCancelled;

  /**
   * Creates the logic.
   *
   * @param timeout the whole handshake must finish within this time
   * @param heartbeat once open, how long the way to the peer may stay without a frame before a
   *     {@code PING} goes out; null for none (the peer's PINGs and PONGs are then passed on)
   */
  HandshakeLogic(BidiShape<Frame, Frame, Frame, Frame> shape, Duration timeout,
      Duration heartbeat) {
    super(shape);
    this.fromPipe = shape.in1();
    this.toWire = shape.out1();
    this.fromWire = shape.in2();
    this.toPipe = shape.out2();
    this.timeout = timeout;
    this.heartbeat = heartbeat;
    setHandler(fromPipe, new AbstractInHandler() {
      @Override
      public void onPush() {
        Frame frame = grab(fromPipe);
        if (isAvailable(toWire)) {
          send(frame);
        } else {
          pending = frame; // a PING took the demand this frame was pulled for
        }
      }

      @Override
      public void onUpstreamFinish() {
        if (open) {
          if (pending == null) {
            finishToWire();
          }
        } else {
          pipeFinished = true; // the answer must still go out first
        }
      }

      @Override
      public void onUpstreamFailure(Throwable error) {
        if (open && heartbeat != null) {
          failStage(error); // as a heartbeat stage above would: the way to the pipe fails too
        } else if (open) {
          fail(toWire, error);
        } else {
          pipeFailure = error;
          if (heartbeat != null) { // as a heartbeat stage above would: it failed at once
            if (!isClosed(toPipe)) {
              fail(toPipe, error);
            }
            if (pipeCancelled == null) {
              pipeCancelled = error;
            }
          }
        }
      }
    });
    setHandler(toWire, new AbstractOutHandler() {
      @Override
      public void onPull() {
        if (pending != null) {
          send(pending);
          pending = null;
          if (isClosed(fromPipe)) {
            finishToWire();
          }
        } else if (pingOwed) {
          pingOwed = false;
          send(PING);
        } else if (open && !hasBeenPulled(fromPipe) && !isClosed(fromPipe)) {
          pull(fromPipe);
        }
      }

      @Override
      public void onDownstreamFinish(Throwable cause) {
        cancelTimer(HEARTBEAT_TIMER);
        if (!open && isClosed(fromWire)) {
          failHandshake(new HandshakeFailedException("connection closed during handshake", cause));
        } else if (!open) {
          // The write side closing says little (a failing TLS stage cancels it first); the read
          // side's end or failure follows with the reason, and the timer bounds the wait.
          wireCancelled = true;
        } else {
          pending = null; // it can never go out now
          cancel(fromPipe, cause);
        }
      }
    });
    setHandler(fromWire, new AbstractInHandler() {
      @Override
      public void onPush() {
        Frame frame = grab(fromWire);
        if (open && heartbeat != null
            && (frame instanceof Frame.Ping || frame instanceof Frame.Pong)) {
          pull(fromWire);
        } else if (open) {
          push(toPipe, frame);
        } else {
          onHandshakeFrame(frame);
        }
      }

      @Override
      public void onUpstreamFinish() {
        if (open) {
          complete(toPipe);
        } else {
          failHandshake(new HandshakeFailedException("connection closed during handshake", null));
        }
      }

      @Override
      public void onUpstreamFailure(Throwable error) {
        if (open) {
          fail(toPipe, error);
        } else {
          // a typed failure from below (TLS: untrusted certificate...) says more than a wrapper
          failHandshake(error instanceof PipeException ? error
              : new HandshakeFailedException("connection failed during handshake", error));
        }
      }
    });
    setHandler(toPipe, new AbstractOutHandler() {
      @Override
      public void onPull() {
        if (open && !hasBeenPulled(fromWire) && !isClosed(fromWire)) {
          pull(fromWire);
        }
      }

      @Override
      public void onDownstreamFinish(Throwable cause) {
        if (open) {
          cancel(fromWire, cause);
        } else {
          pipeCancelled = cause; // keep reading the handshake
        }
      }
    });
  }

  @Override
  public void preStart() {
    scheduleOnce(TIMEOUT_TIMER, timeout);
    pull(fromWire);
  }

  @Override
  public void onTimer(Object key) {
    if (HEARTBEAT_TIMER.equals(key)) {
      onHeartbeat();
    } else {
      failHandshake(new HandshakeFailedException(
          "timed out: handshakeTimeout=" + HumanText.duration(timeout), null));
    }
  }

  private void onHeartbeat() {
    if (isClosed(toWire)) {
      return; // nothing more can go out; the other direction may still run
    }
    long idleFor = System.nanoTime() - lastSentNanos;
    long intervalNanos = heartbeat.toNanos();
    if (idleFor < intervalNanos) {
      scheduleOnce(HEARTBEAT_TIMER, Duration.ofNanos(intervalNanos - idleFor));
      return;
    }
    if (isAvailable(toWire)) {
      send(PING);
    } else {
      pingOwed = true; // a frame is on its way, or the peer is slow: one PING at most
    }
    scheduleOnce(HEARTBEAT_TIMER, heartbeat);
  }

  private void send(Frame frame) {
    lastSentNanos = System.nanoTime();
    push(toWire, frame);
  }

  private void finishToWire() {
    cancelTimer(HEARTBEAT_TIMER);
    complete(toWire);
  }

  /** A frame arrived from the wire before the handshake finished. */
  protected abstract void onHandshakeFrame(Frame frame);

  /** The handshake failed: fail whatever waits for its outcome. */
  protected abstract void onFailed(Throwable error);

  /** The handshake is done: pass frames through from now on. */
  protected final void open() {
    open = true;
    cancelTimer(TIMEOUT_TIMER);
    if (heartbeat != null && !isClosed(toWire)) {
      lastSentNanos = System.nanoTime(); // the handshake's last frame is on its way
      scheduleOnce(HEARTBEAT_TIMER, heartbeat);
    }
    if (pipeFailure != null) {
      fail(toWire, pipeFailure);
    } else if (pipeFinished) {
      finishToWire(); // after the handshake frames still being emitted
    }
    if (pipeCancelled != null) {
      cancel(fromWire, pipeCancelled);
    }
    if (wireCancelled) {
      cancel(fromPipe); // nothing more can be sent; the pipe sees its frames refused
    }
    if (isAvailable(toWire) && !hasBeenPulled(fromPipe) && !isClosed(fromPipe)) {
      pull(fromPipe);
    }
    if (isAvailable(toPipe) && !hasBeenPulled(fromWire) && !isClosed(fromWire)) {
      pull(fromWire);
    }
    pipeFailure = null; // applied; the logic lives as long as the connection
    pipeCancelled = null;
  }

  protected final void unexpected(String expected, Frame frame) {
    failHandshake(new HandshakeFailedException(
        "unexpected frame: expected=" + expected + " got=" + FrameCodec.describe(frame), null));
  }

  protected final void failHandshake(Throwable error) {
    onFailed(error);
    failStage(error);
  }

  @Override
  public void postStop() {
    if (!open) {
      onFailed(new HandshakeFailedException("connection closed during handshake", null));
    }
  }
}
