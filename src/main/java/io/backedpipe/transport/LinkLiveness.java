package io.backedpipe.transport;

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
import org.apache.pekko.util.ByteString;

/**
 * Liveness on the bytes, as one stage: a connection on which no byte at all arrived for the
 * timeout fails in both directions with a {@link LinkSilentException}. It sits right above the
 * socket (under TLS and under the frames), so a slow link that keeps moving bytes is alive however
 * long a frame or a TLS record takes to cross it; the peer's PINGs keep an idle link's bytes
 * coming. A failure of the read side fails the write side too (a dead socket must not be pinged
 * for ever); a clean end of the read side (the peer's half-close) leaves the write side open.
 *
 * <p>One stage instead of a kill switch, an idle timeout, an error mapping and a termination
 * watch: a connection holds one of these, and each stage costs its materialization and about half
 * a KiB of heap for as long as the connection lives.
 *
 * <p>Ports: {@code in1} bytes to the socket, {@code out1} the same towards it; {@code in2} bytes
 * from the socket, {@code out2} the same upwards. State lives in the logic.
 */
final class LinkLiveness extends GraphStage<BidiShape<ByteString, ByteString, ByteString,
    ByteString>> {
  private static final String TIMER = "liveness";

  private final Inlet<ByteString> toSocketIn = Inlet.create("LinkLiveness.toSocket.in");
  private final Outlet<ByteString> toSocketOut = Outlet.create("LinkLiveness.toSocket.out");
  private final Inlet<ByteString> fromSocketIn = Inlet.create("LinkLiveness.fromSocket.in");
  private final Outlet<ByteString> fromSocketOut = Outlet.create("LinkLiveness.fromSocket.out");
  private final BidiShape<ByteString, ByteString, ByteString, ByteString> shape =
      BidiShape.of(toSocketIn, toSocketOut, fromSocketIn, fromSocketOut);
  private final Duration timeout;

  /**
   * Creates the stage.
   *
   * @param timeout how long the socket may deliver no byte before the connection fails
   */
  LinkLiveness(Duration timeout) {
    this.timeout = timeout;
  }

  @Override
  public BidiShape<ByteString, ByteString, ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes inheritedAttributes) {
    return new TimerGraphStageLogic(shape) {
      private final long timeoutNanos = timeout.toNanos();
      /** When the last byte came; the timer checks it instead of being reset on every read. */
      private long lastBytesNanos;

      {
        setHandler(toSocketIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            push(toSocketOut, grab(toSocketIn));
          }

          @Override
          public void onUpstreamFinish() {
            complete(toSocketOut);
          }
        });
        setHandler(toSocketOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(toSocketIn);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancel(toSocketIn, cause);
          }
        });
        setHandler(fromSocketIn, new AbstractInHandler() {
          @Override
          public void onPush() {
            lastBytesNanos = System.nanoTime();
            push(fromSocketOut, grab(fromSocketIn));
          }

          @Override
          public void onUpstreamFinish() {
            cancelTimer(TIMER); // the peer ended its side: nothing more to wait for
            complete(fromSocketOut);
          }

          @Override
          public void onUpstreamFailure(Throwable error) {
            failStage(error); // the write side goes too
          }
        });
        setHandler(fromSocketOut, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(fromSocketIn);
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            cancelTimer(TIMER);
            cancel(fromSocketIn, cause);
          }
        });
      }

      @Override
      public void preStart() {
        lastBytesNanos = System.nanoTime();
        scheduleOnce(TIMER, timeout);
      }

      @Override
      public void onTimer(Object key) {
        long silentFor = System.nanoTime() - lastBytesNanos;
        if (silentFor >= timeoutNanos) {
          failStage(new LinkSilentException(timeout));
        } else {
          scheduleOnce(TIMER, Duration.ofNanos(timeoutNanos - silentFor));
        }
      }
    };
  }
}
