package io.backedpipe.transport;

import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
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
 * a KiB of heap for as long as the connection lives. For the same reason it also keeps, when
 * asked, the first bytes the peer sent (its materialized value): a dialing side quotes them when
 * what answered is not a backed-pipe server. It keeps no more than it was asked for, and only
 * those of the first read; the value completes empty if the connection ends first, and at once
 * when nothing was asked for.
 *
 * <p>Ports: {@code in1} bytes to the socket, {@code out1} the same towards it; {@code in2} bytes
 * from the socket, {@code out2} the same upwards. State lives in the logic.
 */
final class LinkLiveness extends AbstractGraphStageWithMaterializedValue<BidiShape<ByteString,
    ByteString, ByteString, ByteString>, CompletionStage<Optional<ByteString>>> {
  private static final String TIMER = "liveness";
  private static final CompletionStage<Optional<ByteString>> NOT_KEPT =
      CompletableFuture.completedStage(Optional.empty());

  private final Inlet<ByteString> toSocketIn = Inlet.create("LinkLiveness.toSocket.in");
  private final Outlet<ByteString> toSocketOut = Outlet.create("LinkLiveness.toSocket.out");
  private final Inlet<ByteString> fromSocketIn = Inlet.create("LinkLiveness.fromSocket.in");
  private final Outlet<ByteString> fromSocketOut = Outlet.create("LinkLiveness.fromSocket.out");
  private final BidiShape<ByteString, ByteString, ByteString, ByteString> shape =
      BidiShape.of(toSocketIn, toSocketOut, fromSocketIn, fromSocketOut);
  private final Duration timeout;
  private final int firstBytesKept;

  /**
   * Creates the stage.
   *
   * @param timeout how long the socket may deliver no byte before the connection fails
   * @param firstBytesKept how many of the peer's first bytes to keep; 0 for none
   */
  LinkLiveness(Duration timeout, int firstBytesKept) {
    this.timeout = timeout;
    this.firstBytesKept = firstBytesKept;
  }

  /**
   * Creates the stage, keeping none of the peer's bytes.
   *
   * @param timeout how long the socket may deliver no byte before the connection fails
   */
  LinkLiveness(Duration timeout) {
    this(timeout, 0);
  }

  @Override
  public BidiShape<ByteString, ByteString, ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, CompletionStage<Optional<ByteString>>>
      createLogicAndMaterializedValuePair(Attributes inheritedAttributes) {
    CompletableFuture<Optional<ByteString>> first =
        firstBytesKept > 0 ? new CompletableFuture<>() : null;
    return Pair.create(logic(first), first != null ? first : NOT_KEPT);
  }

  private GraphStageLogic logic(CompletableFuture<Optional<ByteString>> firstBytes) {
    return new TimerGraphStageLogic(shape) {
      private final long timeoutNanos = timeout.toNanos();
      /** When the last byte came; the timer checks it instead of being reset on every read. */
      private long lastBytesNanos;
      /** Completed with the peer's first bytes, then let go of; null when none are kept. */
      private CompletableFuture<Optional<ByteString>> first = firstBytes;

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
            ByteString bytes = grab(fromSocketIn);
            if (first != null) {
              // a copy of the few kept: a slice would pin the whole read for the connection's life
              first.complete(Optional.of(ByteString.fromArrayUnsafe(
                  bytes.take(firstBytesKept).toArray())));
              first = null;
            }
            push(fromSocketOut, bytes);
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
      public void postStop() {
        if (first != null) {
          first.complete(Optional.empty()); // the connection ended before the peer sent a byte
        }
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
