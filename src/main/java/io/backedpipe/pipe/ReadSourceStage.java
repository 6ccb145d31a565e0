package io.backedpipe.pipe;

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
 * The Source that reads from a pipe. It asks the reader for the next bytes one step ahead of
 * demand, so at most one delivery waits in the stage. It completes when the peer's stream ended and
 * every byte was delivered (or the pipe was closed by the user) and fails when the pipe failed. A
 * pipe has one reader at a time; cancel this Source to let another open.
 */
final class ReadSourceStage extends GraphStage<SourceShape<ByteString>> {
  private final Outlet<ByteString> out = Outlet.create("ReadSourceStage.out");
  private final SourceShape<ByteString> shape = SourceShape.of(out);
  private final ActorRef<PipeSupervisor.Command> pipe;

  ReadSourceStage(ActorRef<PipeSupervisor.Command> pipe) {
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
    private ActorRef<Reader.Reply> self;
    private ActorRef<Reader.Command> reader;
    private ByteString buffered;
    private boolean demanded;

    Logic() {
      super(shape);
      setHandler(
          out,
          new AbstractOutHandler() {
            @Override
            public void onPull() {
              if (buffered != null) {
                push(out, buffered);
                buffered = null;
              }
              requestMore();
            }
          });
    }

    @Override
    public void preStart() {
      self = Adapter.toTyped(getStageActor(this::receive).ref());
      pipe.tell(new PipeSupervisor.OpenReader(self));
    }

    private scala.runtime.BoxedUnit receive(
        scala.Tuple2<org.apache.pekko.actor.ActorRef, Object> message) {
      onReply(message._2());
      return scala.runtime.BoxedUnit.UNIT;
    }

    private void onReply(Object reply) {
      if (reply instanceof Reader.Delivered delivered) {
        demanded = false;
        if (isAvailable(out)) {
          push(out, delivered.bytes());
        } else {
          buffered = delivered.bytes();
        }
        requestMore();
      } else if (reply instanceof Reader.Opened opened) {
        reader = opened.reader();
        requestMore();
      } else if (reply == Reader.Completed.INSTANCE) {
        reader = null; // the reader forgot us already
        if (buffered != null) {
          emit(out, buffered, this::completeStage);
          buffered = null;
        } else {
          completeStage();
        }
      } else if (reply instanceof Reader.Failed failed) {
        reader = null;
        failStage(failed.error());
      }
    }

    private void requestMore() {
      if (reader != null && !demanded && buffered == null) {
        demanded = true;
        reader.tell(new Reader.Demand(self));
      }
    }

    @Override
    public void postStop() {
      if (reader != null) {
        reader.tell(new Reader.Cancel(self));
      }
    }
  }
}
