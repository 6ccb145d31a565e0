package io.backedpipe.pipe;

import io.backedpipe.DisconnectCause;
import io.backedpipe.PipeClosedException;
import io.backedpipe.PipeCommand;
import io.backedpipe.ReadReply;
import io.backedpipe.ReadRequest;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SourceShape;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * The Source that reads from a pipe. It asks the reader for bytes only when downstream pulls, so
 * nothing waits in the stage: what the reader hands over is pushed at once, and the reader counts
 * it only when the stage asks again or says, when it stops, that it passed it on. A Source that
 * stops with a delivery still on its way hands those bytes back to the next Source. It completes
 * when the peer's stream ended and every byte was delivered (or the pipe was closed by the user),
 * and fails when the pipe failed or its actor stopped. A pipe has one reader at a time; cancel this
 * Source to let another open.
 */
final class ReadSourceStage extends GraphStage<SourceShape<ByteString>> {
  private final Outlet<ByteString> out = Outlet.create("ReadSourceStage.out");
  private final SourceShape<ByteString> shape = SourceShape.of(out);
  private final ActorRef<PipeCommand> pipe;

  ReadSourceStage(ActorRef<PipeCommand> pipe) {
    this.pipe = pipe;
  }

  @Override
  public SourceShape<ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  private final class Logic extends GraphStageLogic {
    private StageActor stageActor;
    private ActorRef<ReadReply> self;
    private ActorRef<ReadRequest> reader;
    private boolean awaiting;

    Logic() {
      super(shape);
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              demand();
            }
          });
    }

    @Override
    public void preStart() {
      stageActor = getStageActor(this::receive);
      self = Adapter.toTyped(stageActor.ref());
      stageActor.watch(Adapter.toClassic(pipe));
      pipe.tell(new PipeCommand.Read(self));
    }

    private scala.runtime.BoxedUnit receive(
        scala.Tuple2<org.apache.pekko.actor.ActorRef, Object> message) {
      onReply(message._2());
      return scala.runtime.BoxedUnit.UNIT;
    }

    private void onReply(Object reply) {
      if (reply instanceof ReadReply.Delivered delivered) {
        awaiting = false;
        push(out, delivered.bytes()); // asked only on a pull, so the outlet is free
      } else if (reply instanceof ReadReply.Opened opened) {
        reader = opened.reader();
        stageActor.watch(Adapter.toClassic(reader));
        if (isAvailable(out)) {
          demand();
        }
      } else if (reply == ReadReply.Completed.INSTANCE) {
        reader = null; // the reader forgot us already
        completeStage();
      } else if (reply instanceof ReadReply.Failed failed) {
        reader = null;
        failStage(failed.error());
      } else if (reply instanceof Terminated) {
        reader = null;
        failStage(new PipeClosedException(DisconnectCause.PIPE_STOPPED, null));
      }
    }

    private void demand() {
      if (reader != null && !awaiting) {
        awaiting = true;
        reader.tell(new ReadRequest.Demand(self));
      }
    }

    @Override
    public void postStop() {
      if (reader != null) {
        reader.tell(new ReadRequest.Cancel(self, !awaiting));
      }
    }
  }
}
