package io.backedpipe.tunnel.mux;

import java.util.function.Function;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * The sending side of one tunnel stream, as one stage: a TCP connection's bytes in, the stream's
 * encoded frames out. It sends
 * <ul>
 *   <li>the stream's {@code OPEN} first, on the side that opens it;
 *   <li>the bytes as {@code DATA} frames, only as far as the receiver's credit goes, cut at the
 *       credit and at {@code maxChunk} (slices, not copies), so that the receiver counts each frame
 *       exactly as this stage did; bytes beyond the credit wait here (one upstream element at most,
 *       so upstream, and the TCP connection, is backpressured) until a {@link Control#grant};
 *   <li>{@code EOF} once the connection's input ended and every byte went;
 *   <li>or, when the connection failed, the frame {@code onFailure} makes of the failure (a
 *       {@code RESET} with its reason), and nothing of what was held back.
 * </ul>
 * {@link Control#stop} ends it at once, without a frame more (the stream was reset from
 * elsewhere). {@code onEnd} runs once when the stage stops, however it stops.
 *
 * <p>One stage in place of a gate, a map, a prepend, a concat, a recover, a kill switch and a
 * termination watch: a new stream materializes and builds a fraction of what it did, and each of
 * its frames crosses one stage instead of seven.
 */
public final class StreamSender extends
    AbstractGraphStageWithMaterializedValue<FlowShape<ByteString, ByteString>,
        StreamSender.Control> {

  /** Steers a running sender; safe to call from any thread, also before it started. */
  public interface Control {
    /**
     * Lets {@code bytes} more through.
     *
     * @param bytes {@code >= 1}
     */
    void grant(int bytes);

    /** Ends the stream's sending now: no frame more, not even an {@code EOF}. */
    void stop();
  }

  private final Inlet<ByteString> in = Inlet.create("StreamSender.in");
  private final Outlet<ByteString> out = Outlet.create("StreamSender.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final int stream;
  private final boolean opens;
  private final long initialCredit;
  private final int maxChunk;
  private final Function<Throwable, ByteString> onFailure;
  private final Runnable onEnd;

  /**
   * Creates the sender of one stream.
   *
   * @param stream the stream's id
   * @param opens whether this side opens the stream (its first frame is the {@code OPEN})
   * @param initialCredit what may pass before any grant
   * @param maxChunk the largest {@code DATA} payload let out
   * @param onFailure makes the last frame when the connection fails (it may also tell others)
   * @param onEnd runs once when the stage stops
   */
  public StreamSender(int stream, boolean opens, long initialCredit, int maxChunk,
      Function<Throwable, ByteString> onFailure, Runnable onEnd) {
    this.stream = stream;
    this.opens = opens;
    this.initialCredit = initialCredit;
    this.maxChunk = maxChunk;
    this.onFailure = onFailure;
    this.onEnd = onEnd;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, Control> createLogicAndMaterializedValuePair(
      Attributes attributes) {
    Logic logic = new Logic();
    return Pair.create(logic, logic.control());
  }

  private final class Logic extends GraphStageLogic {
    private long credit = initialCredit;
    /** Bytes taken from upstream and not let out yet. */
    private ByteString held;
    private boolean upstreamDone;

    Logic() {
      super(shape);
      setHandler(in, new AbstractInHandler() {
        @Override
        public void onPush() {
          held = grab(in);
          emitHeld();
        }

        @Override
        public void onUpstreamFinish() {
          upstreamDone = true;
          if (held == null) {
            sendEof();
          }
        }

        @Override
        public void onUpstreamFailure(Throwable error) {
          held = null;
          emit(out, onFailure.apply(error), Logic.this::completeStage);
        }
      });
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          if (held == null) {
            pullIfNeeded();
          } else {
            emitHeld();
          }
        }
      });
    }

    @Override
    public void preStart() {
      if (opens) {
        emit(out, MuxCodec.encode(new MuxFrame.Open(stream)));
      }
    }

    @Override
    public void postStop() {
      onEnd.run();
    }

    Control control() {
      AsyncCallback<Integer> grant = createAsyncCallback(bytes -> {
        credit += bytes;
        emitHeld();
      });
      // a frame still waiting for demand (an OPEN, an EOF) is dropped too: completeStage alone
      // would send it first
      AsyncCallback<Boolean> stop = createAsyncCallback(ignored -> {
        abortEmitting(out);
        completeStage();
      });
      return new Control() {
        @Override
        public void grant(int bytes) {
          grant.invoke(bytes);
        }

        @Override
        public void stop() {
          stop.invoke(Boolean.TRUE);
        }
      };
    }

    private void emitHeld() {
      if (held == null || credit <= 0 || !isAvailable(out)) {
        return;
      }
      int take = (int) Math.min(Math.min(held.size(), credit), maxChunk);
      ByteString chunk = take == held.size() ? held : held.take(take);
      held = take == held.size() ? null : held.drop(take);
      credit -= take;
      push(out, MuxCodec.encode(new MuxFrame.Data(stream, chunk)));
      if (held == null) {
        if (upstreamDone) {
          sendEof();
        } else {
          pullIfNeeded();
        }
      }
    }

    private void sendEof() {
      emit(out, MuxCodec.encode(new MuxFrame.Eof(stream)), Logic.this::completeStage);
    }

    private void pullIfNeeded() {
      if (!hasBeenPulled(in) && !isClosed(in)) {
        pull(in);
      }
    }
  }
}
