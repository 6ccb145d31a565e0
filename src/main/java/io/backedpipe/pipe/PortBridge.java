package io.backedpipe.pipe;

import io.backedpipe.wire.Frame;
import java.io.IOException;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * A {@link LinkPort}'s frames as a flow of another stream: the bridge attaches to the port as if
 * it were a pipe, playing its writer (frames in, one per {@link Writer.LinkDemand}) and its reader
 * (one {@link Reader.Inbound} per {@link Reader.LinkAck}, then the end). Used when something is
 * put between a pipe and a transport's connection ({@code Connection.withFrames}), where the
 * port's own stream cannot hold it; the pipe then attaches to its own port in front of the
 * wrapper, so such a connection costs two streams, as every connection did before the port.
 *
 * <p>Its input ends the port's direction towards the peer (completion) or the whole connection
 * (failure); cancelling its output stops the peer's frames.
 */
final class PortBridge extends GraphStage<FlowShape<Frame, Frame>> {
  private final Inlet<Frame> in = Inlet.create("PortBridge.in");
  private final Outlet<Frame> out = Outlet.create("PortBridge.out");
  private final FlowShape<Frame, Frame> shape = FlowShape.of(in, out);
  private final LinkPort port;

  PortBridge(LinkPort port) {
    this.port = port;
  }

  @Override
  public FlowShape<Frame, Frame> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new GraphStageLogic(shape) {
      /** The port's stage actor, once it attached us. */
      private ActorRef<Frame> link;
      /** May send the next frame: the port takes the first without asking. */
      private boolean linkReady = true;
      private ActorRef<Reader.LinkAck> ack;
      private boolean asked;
      private boolean finishedCleanly;

      {
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            linkReady = false;
            link.tell(grab(in));
          }

          @Override
          public void onUpstreamFinish() {
            finishedCleanly = true;
            port.finishOutgoing();
          }

          @Override
          public void onUpstreamFailure(Throwable error) {
            port.abort(error);
            failStage(error);
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            askForFrame();
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            port.cancelIncoming();
            if (isClosed(in)) {
              completeStage();
            }
          }
        });
      }

      @Override
      public void preStart() {
        org.apache.pekko.actor.ActorRef self = getStageActor(this::receive).ref();
        AsyncCallback<Throwable> portGone = createAsyncCallback(error -> failStage(
            new IOException("connection already closed", error)));
        port.attachBridge(Adapter.toTyped(self), Adapter.toTyped(self))
            .whenComplete((done, error) -> {
              if (error != null) {
                portGone.invoke(error);
              }
            });
      }

      private scala.runtime.BoxedUnit receive(
          scala.Tuple2<org.apache.pekko.actor.ActorRef, Object> message) {
        Object m = message._2();
        if (m instanceof Writer.Attach attach) {
          link = attach.link();
          pullWhenReady();
        } else if (m instanceof Writer.LinkDemand) {
          linkReady = true;
          pullWhenReady();
        } else if (m instanceof Reader.LinkStarted started) {
          ack = started.ack();
          askForFrame();
        } else if (m instanceof Reader.Inbound inbound) {
          asked = false;
          push(out, inbound.frame()); // asked only on a pull: the outlet is available
        } else if (m instanceof Reader.LinkEnded) {
          complete(out);
        } else if (m instanceof Reader.LinkFailed failed) {
          failStage(failed.cause());
        }
        return scala.runtime.BoxedUnit.UNIT;
      }

      private void pullWhenReady() {
        if (link != null && linkReady && !isClosed(in) && !hasBeenPulled(in)) {
          pull(in);
        }
      }

      private void askForFrame() {
        if (ack != null && isAvailable(out) && !asked) {
          asked = true;
          ack.tell(Reader.LinkAck.INSTANCE);
        }
      }

      @Override
      public void postStop() {
        if (!finishedCleanly) {
          port.shutdown(); // a failed or cancelled bridge takes the connection with it
        }
      }
    };
  }
}
