package io.backedpipe.tunnel.mux;

import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.util.ByteString;

/**
 * Lets a stream's bytes through only as far as its receiver's credit goes: one side of the
 * tunnel's per-stream flow control. Bytes beyond the credit wait here (one upstream element at
 * most, so upstream is backpressured, and with it the TCP connection they come from); a
 * {@link Credit#grant grant} lets more through. Elements are cut at the credit and at
 * {@code maxChunk} (slices, not copies), so that each element leaving is one DATA frame the
 * receiver counts exactly as this stage did.
 */
public final class CreditGate extends
    AbstractGraphStageWithMaterializedValue<FlowShape<ByteString, ByteString>, CreditGate.Credit> {

  /** Gives a running gate more credit; safe to call from any thread. */
  public interface Credit {
    /**
     * Lets {@code bytes} more through.
     *
     * @param bytes {@code >= 1}
     */
    void grant(int bytes);
  }

  private final Inlet<ByteString> in = Inlet.create("CreditGate.in");
  private final Outlet<ByteString> out = Outlet.create("CreditGate.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final long initialCredit;
  private final int maxChunk;

  /**
   * Creates the gate.
   *
   * @param initialCredit what may pass before any grant
   * @param maxChunk the largest element let out
   */
  public CreditGate(long initialCredit, int maxChunk) {
    this.initialCredit = initialCredit;
    this.maxChunk = maxChunk;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, Credit> createLogicAndMaterializedValuePair(
      Attributes attributes) {
    Logic logic = new Logic();
    AsyncCallback<Integer> grant = logic.grantCallback();
    return Pair.create(logic, bytes -> grant.invoke(bytes));
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
            completeStage();
          }
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

    AsyncCallback<Integer> grantCallback() {
      return createAsyncCallback(bytes -> {
        credit += bytes;
        emitHeld();
      });
    }

    private void emitHeld() {
      if (held == null || credit <= 0 || !isAvailable(out)) {
        return;
      }
      int take = (int) Math.min(Math.min(held.size(), credit), maxChunk);
      ByteString chunk = take == held.size() ? held : held.take(take);
      held = take == held.size() ? null : held.drop(take);
      credit -= take;
      push(out, chunk);
      if (held == null) {
        if (upstreamDone) {
          completeStage();
        } else {
          pullIfNeeded();
        }
      }
    }

    private void pullIfNeeded() {
      if (!hasBeenPulled(in) && !isClosed(in)) {
        pull(in);
      }
    }
  }
}
