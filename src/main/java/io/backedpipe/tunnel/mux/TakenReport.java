package io.backedpipe.tunnel.mux;

import java.util.function.IntConsumer;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Passes the peer's bytes on to a stream's TCP connection and tells what it took: {@code onTaken}
 * with the bytes taken since the last report, once they reach {@code batch}, and {@code onEnd} once
 * when the stage stops, however it stops (the peer's bytes ended, or the connection stopped
 * taking them). The receiving side's flow control is built on the first (grants follow what the
 * connection took), and a stream whose connection went away ends on the second. One stage in
 * place of a map and a termination watch.
 */
public final class TakenReport extends GraphStage<FlowShape<ByteString, ByteString>> {
  private final Inlet<ByteString> in = Inlet.create("TakenReport.in");
  private final Outlet<ByteString> out = Outlet.create("TakenReport.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final int batch;
  private final IntConsumer onTaken;
  private final Runnable onEnd;

  /**
   * Creates the stage.
   *
   * @param batch report once this many bytes were taken since the last report
   * @param onTaken gets the bytes taken since the last report
   * @param onEnd runs once when the stage stops
   */
  public TakenReport(int batch, IntConsumer onTaken, Runnable onEnd) {
    this.batch = batch;
    this.onTaken = onTaken;
    this.onEnd = onEnd;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
      private int taken;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            ByteString bytes = grab(in);
            taken += bytes.size();
            if (taken >= batch) {
              onTaken.accept(taken);
              taken = 0;
            }
            push(out, bytes);
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            pull(in);
          }
        });
      }

      @Override
      public void postStop() {
        onEnd.run();
      }
    };
  }
}
