package io.backedpipe.pipe;

import io.backedpipe.DisconnectCause;
import io.backedpipe.PipeClosedException;
import io.backedpipe.PipeCommand;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.AbruptStageTerminationException;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.SinkShape;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * The Sink that writes into a pipe. It joins the elements that arrive while the writer is accepting
 * the previous batch, up to the writer's batch size, so small writes cost one actor message per
 * batch rather than per element. Upstream completion ends the pipe's output (end-of-stream);
 * upstream failure fails only this Sink. If the pipe's actor stops, the Sink fails with
 * {@link PipeClosedException} (cause {@code PIPE_STOPPED}) instead of waiting forever.
 *
 * <p>One Sink writes at a time: a second one fails at once with
 * {@link io.backedpipe.SinkAlreadyOpenException} while the first is running. When the pipe closes,
 * an open Sink fails with the close's {@link PipeClosedException} and cancels its upstream, even
 * when no element is on its way (a relay with a quiet input learns it too).
 *
 * <p>Materializes a stage that completes once the peer acknowledged every byte of the output
 * (its application read them, and the end-of-stream follows them on the connection), or fails
 * with the writer's refusal (for example {@link PipeClosedException}).
 */
final class WriteSinkStage
    extends AbstractGraphStageWithMaterializedValue<SinkShape<ByteString>, CompletionStage<Done>> {
  private final Inlet<ByteString> in = Inlet.create("WriteSinkStage.in");
  private final SinkShape<ByteString> shape = SinkShape.of(in);
  private final ActorRef<PipeCommand> pipe;

  WriteSinkStage(ActorRef<PipeCommand> pipe) {
    this.pipe = pipe;
  }

  @Override
  public SinkShape<ByteString> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, CompletionStage<Done>> createLogicAndMaterializedValuePair(
      Attributes attributes) {
    CompletableFuture<Done> done = new CompletableFuture<>();
    return Pair.create(new Logic(done), done);
  }

  private final class Logic extends GraphStageLogic {
    private final CompletableFuture<Done> done;
    private StageActor stageActor;
    private ActorRef<Writer.Reply> self;
    private ActorRef<Writer.Command> writer;
    private int batchBytes = 1;
    /**
     * The batch being joined. A builder, not {@code ByteString.concat}: concatenating a rope
     * element by element copies its part list on every append (quadratic in the parts per batch,
     * and an allocation per element), while the builder appends parts in amortized constant time.
     * Neither copies the bytes. Null between batches: an empty builder still holds a 32-slot
     * array, and an idle Sink would keep it for nothing.
     */
    private ByteStringBuilder pending;
    private boolean inFlight;
    private boolean upstreamFinished;

    Logic(CompletableFuture<Done> done) {
      super(shape);
      this.done = done;
      setHandler(
          in,
          new AbstractInHandler() {
            @Override
            public void onPush() {
              if (pending == null) {
                pending = ByteString.newBuilder();
              }
              pending.append(grab(in));
              flush();
            }

            @Override
            public void onUpstreamFinish() {
              upstreamFinished = true;
              flush();
            }

            @Override
            public void onUpstreamFailure(Throwable error) {
              done.completeExceptionally(error);
              failStage(error);
            }
          });
    }

    @Override
    public void preStart() {
      setKeepGoing(true); // the inlet closes before the writer confirms the end-of-stream
      stageActor = getStageActor(this::receive);
      self = Adapter.toTyped(stageActor.ref());
      stageActor.watch(Adapter.toClassic(pipe));
      pipe.tell(new PipeSupervisor.OpenWriter(self));
      pull(in);
    }

    private scala.runtime.BoxedUnit receive(
        scala.Tuple2<org.apache.pekko.actor.ActorRef, Object> message) {
      onReply(message._2());
      return scala.runtime.BoxedUnit.UNIT;
    }

    private void onReply(Object reply) {
      if (reply instanceof Writer.Opened opened) {
        writer = opened.writer();
        stageActor.watch(Adapter.toClassic(writer));
        batchBytes = opened.batchBytes();
        flush();
      } else if (reply == Writer.Accepted.INSTANCE) {
        inFlight = false;
        flush();
      } else if (reply == Writer.Finished.INSTANCE) {
        done.complete(Done.getInstance());
        completeStage();
      } else if (reply instanceof Writer.Rejected rejected) {
        done.completeExceptionally(rejected.error());
        failStage(rejected.error());
      } else if (reply instanceof Terminated) {
        PipeClosedException stopped = new PipeClosedException(DisconnectCause.PIPE_STOPPED, null);
        done.completeExceptionally(stopped);
        failStage(stopped);
      }
    }

    /** Sends the joined bytes (or the end) when the writer is free; keeps pulling up to a batch. */
    private void flush() {
      if (writer != null && !inFlight) {
        if (pendingBytes() > 0) {
          writer.tell(new Writer.Write(pending.result(), self));
          pending = null;
          inFlight = true;
        } else if (upstreamFinished) {
          writer.tell(new Writer.Finish(self));
          inFlight = true;
        }
      }
      if (!isClosed(in) && !hasBeenPulled(in) && pendingBytes() < batchBytes) {
        pull(in);
      }
    }

    private int pendingBytes() {
      return pending == null ? 0 : pending.length();
    }

    @Override
    public void postStop() {
      if (writer != null) {
        writer.tell(new Writer.Release(self)); // another Sink may write now
      }
      if (!done.isDone()) {
        done.completeExceptionally(new AbruptStageTerminationException(this));
      }
    }
  }
}
