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
 * The shared logic of both handshake stages: until {@link #open()} only handshake frames move (the
 * pipe's side is not pulled), afterwards frames pass straight through in both directions and each
 * direction ends on its own (half-close). The whole handshake must finish within the timeout.
 *
 * <p>The pipe's side may end before the handshake does (a server refuses a connection it has
 * already handed to a pipe): that end is held back until the handshake's answer has gone out.
 *
 * <p>Ports: {@code in1} from the pipe, {@code out1} to the wire, {@code in2} from the wire,
 * {@code out2} to the pipe. All state lives in the logic.
 */
abstract class HandshakeLogic extends TimerGraphStageLogic {
  private static final String TIMEOUT_TIMER = "handshake-timeout";

  protected final Inlet<Frame> fromPipe;
  protected final Outlet<Frame> toWire;
  protected final Inlet<Frame> fromWire;
  protected final Outlet<Frame> toPipe;
  private final Duration timeout;
  private boolean open;
  /** How the pipe's side ended before the handshake did; applied once it is over. */
  private boolean pipeFinished;
  private Throwable pipeFailure;
  private Throwable pipeCancelled;
  /** The wire stopped taking frames before the handshake was done. */
  private boolean wireCancelled;

  HandshakeLogic(BidiShape<Frame, Frame, Frame, Frame> shape, Duration timeout) {
    super(shape);
    this.fromPipe = shape.in1();
    this.toWire = shape.out1();
    this.fromWire = shape.in2();
    this.toPipe = shape.out2();
    this.timeout = timeout;
    setHandler(fromPipe, new AbstractInHandler() {
      @Override
      public void onPush() {
        push(toWire, grab(fromPipe));
      }

      @Override
      public void onUpstreamFinish() {
        if (open) {
          complete(toWire);
        } else {
          pipeFinished = true; // the answer must still go out first
        }
      }

      @Override
      public void onUpstreamFailure(Throwable error) {
        if (open) {
          fail(toWire, error);
        } else {
          pipeFailure = error;
        }
      }
    });
    setHandler(toWire, new AbstractOutHandler() {
      @Override
      public void onPull() {
        if (open && !hasBeenPulled(fromPipe) && !isClosed(fromPipe)) {
          pull(fromPipe);
        }
      }

      @Override
      public void onDownstreamFinish(Throwable cause) {
        if (!open && isClosed(fromWire)) {
          failHandshake(new HandshakeFailedException("connection closed during handshake", cause));
        } else if (!open) {
          // The write side closing says little (a failing TLS stage cancels it first); the read
          // side's end or failure follows with the reason, and the timer bounds the wait.
          wireCancelled = true;
        } else {
          cancel(fromPipe, cause);
        }
      }
    });
    setHandler(fromWire, new AbstractInHandler() {
      @Override
      public void onPush() {
        Frame frame = grab(fromWire);
        if (open) {
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
    failHandshake(new HandshakeFailedException(
        "timed out: handshakeTimeout=" + HumanText.duration(timeout), null));
  }

  /** A frame arrived from the wire before the handshake finished. */
  protected abstract void onHandshakeFrame(Frame frame);

  /** The handshake failed: fail whatever waits for its outcome. */
  protected abstract void onFailed(Throwable error);

  /** The handshake is done: pass frames through from now on. */
  protected final void open() {
    open = true;
    cancelTimer(TIMEOUT_TIMER);
    if (pipeFailure != null) {
      fail(toWire, pipeFailure);
    } else if (pipeFinished) {
      complete(toWire); // after the handshake frames still being emitted
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
