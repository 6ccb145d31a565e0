package io.backedpipe.pipe;

import io.backedpipe.Connection;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.LinkLimits;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.OptionalInt;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.Terminated;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.SubscriptionWithCancelException;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.stream.stage.GraphStageLogic.StageActor;
import org.apache.pekko.stream.stage.TimerGraphStageLogic;

/**
 * The pipe's end of one connection, materialized with the connection itself: a pipe attaches to
 * it later, without a second stream. Not API: public only because the transports that build
 * connections live in other packages.
 *
 * <p>A transport runs its connection stack joined to {@link #stage} as one stream (one
 * interpreter), finishes its handshake, and hands the pipe a {@link Connection} that carries the
 * port. The pipe then {@linkplain #attach attaches} its writer and reader to the running port,
 * which speaks their existing protocols, every message stamped with the connection's generation:
 * the writer gets {@link Writer.Attach} with the port as its link, sends one frame at a time and
 * gets {@link Writer.LinkDemand} when the connection wants the next; the reader gets {@link
 * Reader.LinkStarted}, then one {@link Reader.Inbound} per {@link Reader.LinkAck}.
 *
 * <p><b>A connection's end never overtakes its frames.</b> Frames the connection delivers are
 * taken at once (up to {@value #PREFETCH}, also before the pipe attaches) and handed to the reader
 * in order; the end of the connection's frames ({@link Reader.LinkEnded}, {@link
 * Reader.LinkFailed}) follows the last of them. When the connection stops taking frames (its
 * write side ended) the reader is told so ({@link Reader.LinkFailed}) once it has taken every
 * frame that had arrived, when it asks for the next: a peer's {@code WELCOME}, {@code CLOSE} and
 * end, arriving together, reach the pipe as the {@code CLOSE} and then the end, even while the
 * pipe is still attaching the connection.
 *
 * <p>Thread-safe: the methods run on the caller's thread only to pass an {@link AsyncCallback};
 * everything else happens in the stage.
 */
public final class LinkPort {
  /**
   * How many frames the port takes from the connection before the reader asks for them: as many
   * as the {@code ActorSink} it replaces buffered, so a peer's frames that arrive with its end
   * are in the port before the end is.
   */
  static final int PREFETCH = 16;

  /**
   * How many of the writer's frames the port holds for the connection beyond the one it is
   * writing: the writer is asked for the next frame as soon as there is room, so an actor round
   * trip per frame does not stall the socket (the two streams before this one had a buffer of 16
   * between them). The frames are slices of the writer's replay buffer: no bytes are held twice,
   * and the writer's window still bounds what is in flight.
   */
  static final int SEND_AHEAD = 4;

  /** What the owner can ask of the running port. */
  private sealed interface Control {}

  /** The pipe attaches, as the connection of {@code generation}. */
  private record Attach(long generation, ActorRef<Writer.Command> writer,
      ActorRef<Reader.Command> reader, long peerReadPosition, OptionalInt peerHistoryCheck,
      LinkLimits peerLimits) implements Control {}

  /** End both directions (after a frame already taken). */
  private enum Shutdown implements Control {
    INSTANCE
  }

  /** End only the direction towards the peer, after the frames already taken. */
  private enum FinishOutgoing implements Control {
    INSTANCE
  }

  /** The frames from the peer are no longer wanted. */
  private enum CancelIncoming implements Control {
    INSTANCE
  }

  /** End both directions with an error. */
  private record Abort(Throwable cause) implements Control {}

  /** Fail the connection as its transport would, the reader told after the frames it has. */
  private record Fail(Throwable cause) implements Control {}

  private final AsyncCallback<Control> control;
  private final CompletableFuture<Done> outgoingDone;

  private LinkPort(AsyncCallback<Control> control, CompletableFuture<Done> outgoingDone) {
    this.control = control;
    this.outgoingDone = outgoingDone;
  }

  /**
   * The port as the last stage of a connection: its input is the frames from the peer, its output
   * the frames to the peer; join it to the connection's flow ({@code stage.join(connection)}).
   *
   * @param attachTimeout how long the port waits for a pipe; a port nobody attached by then ends
   *     the connection (the handshake failed, or the pipe it was for stopped)
   * @return the stage, materializing the port
   */
  public static Flow<Frame, Frame, LinkPort> stage(Duration attachTimeout) {
    return Flow.fromGraph(new Stage(attachTimeout));
  }

  /**
   * Ends the connection in both directions without a pipe: for a connection nobody will attach
   * (a failed or refused handshake, an abandoned attempt). Idempotent; a no-op on a stopped port.
   */
  public void discard() {
    control.invoke(Shutdown.INSTANCE);
  }

  /**
   * The connection's frames as a flow of their own, for a wrapper that puts something between
   * the pipe and the connection ({@link Connection#withFrames}): materializing it attaches a
   * bridge to this port, at the cost of a second stream. Materialize it at most once, and not
   * together with {@link #attach}.
   *
   * @return the frames
   */
  public Flow<Frame, Frame, org.apache.pekko.NotUsed> frames() {
    return Flow.fromGraph(new PortBridge(this));
  }

  /**
   * Attaches a pipe: the port tells {@code writer} {@link Writer.Attach} and {@code reader}
   * {@link Reader.LinkStarted}, both of {@code generation}, and from then on speaks their
   * protocols. At most once.
   */
  void attach(long generation, ActorRef<Writer.Command> writer, ActorRef<Reader.Command> reader,
      Connection connection) {
    control.invoke(new Attach(generation, writer, reader, connection.peerReadPosition(),
        connection.peerHistoryCheck(), connection.peerLimits()));
  }

  /**
   * Attaches a {@link PortBridge}, which plays both writer and reader.
   *
   * @return fails when the port had stopped (its connection is gone), since the bridge would
   *     otherwise never hear from it
   */
  CompletionStage<Done> attachBridge(ActorRef<Writer.Command> writer,
      ActorRef<Reader.Command> reader) {
    return control.invokeWithFeedbackCompletionStage(
        new Attach(0, writer, reader, 0, OptionalInt.empty(), LinkLimits.NONE));
  }

  /** Ends both directions; idempotent. */
  void shutdown() {
    control.invoke(Shutdown.INSTANCE);
  }

  /** Ends the direction towards the peer after what it took; the peer's stays open. */
  void finishOutgoing() {
    control.invoke(FinishOutgoing.INSTANCE);
  }

  /** Stops taking the peer's frames (a bridge's downstream cancelled). */
  void cancelIncoming() {
    control.invoke(CancelIncoming.INSTANCE);
  }

  /**
   * Fails the running connection from outside, as a transport failure would: the way to the peer
   * fails (the socket is reset), and the pipe's reader gets the failure after the frames the port
   * had already taken. For a benchmark or a test that breaks a connection without a stage of its
   * own in the way. A no-op on a stopped port.
   *
   * @param cause the failure
   */
  public void fail(Throwable cause) {
    control.invoke(new Fail(cause));
  }

  /** Ends both directions with {@code cause}. */
  void abort(Throwable cause) {
    control.invoke(new Abort(cause));
  }

  /**
   * Completes when the connection stops taking frames (its write side ended, or the port
   * stopped); never fails.
   *
   * @return the signal
   */
  CompletionStage<Done> outgoingDone() {
    return outgoingDone;
  }

  /** The end of the peer's frames, queued behind them. */
  private record End(Throwable failure) {}

  private static final class Stage
      extends AbstractGraphStageWithMaterializedValue<FlowShape<Frame, Frame>, LinkPort> {
    private final Inlet<Frame> in = Inlet.create("LinkPort.in");
    private final Outlet<Frame> out = Outlet.create("LinkPort.out");
    private final FlowShape<Frame, Frame> shape = FlowShape.of(in, out);
    private final Duration attachTimeout;

    Stage(Duration attachTimeout) {
      this.attachTimeout = attachTimeout;
    }

    @Override
    public FlowShape<Frame, Frame> shape() {
      return shape;
    }

    @Override
    public Pair<GraphStageLogic, LinkPort> createLogicAndMaterializedValuePair(
        Attributes attributes) {
      CompletableFuture<Done> outgoingDone = new CompletableFuture<>();
      Logic logic = new Logic(outgoingDone);
      return Pair.create(logic, new LinkPort(logic.control, outgoingDone));
    }

    private final class Logic extends TimerGraphStageLogic {
      private final CompletableFuture<Done> outgoingDone;
      final AsyncCallback<Control> control;
      /** The peer's frames not yet handed to the reader, then possibly their {@link End}. */
      private final ArrayDeque<Object> incoming = new ArrayDeque<>();
      private int queuedFrames;
      private StageActor stageActor;
      /** The stage actor as the writer's link and as the reader's demand signal. */
      private ActorRef<Frame> link;
      private ActorRef<Reader.LinkAck> ack;
      private long generation;
      private ActorRef<Writer.Command> writer;
      private ActorRef<Reader.Command> reader;
      /** The reader asked for the next frame. */
      private boolean readerWants;
      /** Frames of the writer's waiting for the connection to want them. */
      private final ArrayDeque<Frame> outgoing = new ArrayDeque<>(SEND_AHEAD);
      /** The writer may send one frame (it was told {@code Attach} or {@code LinkDemand}). */
      private boolean writerMaySend;
      /** Complete the output once the waiting frames went out. */
      private boolean finishOutgoingAfterFrame;
      /** Why the connection stopped taking frames; null while it takes them. */
      private Throwable outgoingEnd;
      private boolean endReported;

      Logic(CompletableFuture<Done> outgoingDone) {
        super(shape);
        this.outgoingDone = outgoingDone;
        this.control = createAsyncCallback(this::onControl);
        setHandler(in, new AbstractInHandler() {
          @Override
          public void onPush() {
            incoming.add(grab(in));
            queuedFrames++;
            deliver();
            pullIfRoom();
          }

          @Override
          public void onUpstreamFinish() {
            incoming.add(new End(null));
            deliver();
          }

          @Override
          public void onUpstreamFailure(Throwable error) {
            incoming.add(new End(error));
            deliver();
          }
        });
        setHandler(out, new AbstractOutHandler() {
          @Override
          public void onPull() {
            if (!outgoing.isEmpty()) {
              push(out, outgoing.poll());
              if (outgoing.isEmpty() && finishOutgoingAfterFrame) {
                complete(out);
                outgoingStopped(null);
                return;
              }
            }
            askWriter();
          }

          @Override
          public void onDownstreamFinish(Throwable cause) {
            outgoingStopped(cause instanceof SubscriptionWithCancelException.NonFailureCancellation
                ? new IOException("connection stopped taking frames") : cause);
          }
        });
      }

      @Override
      public void preStart() {
        // Both ports may close before the pipe attaches, with frames it must still get.
        setKeepGoing(true);
        stageActor = getStageActor(this::receive);
        link = Adapter.toTyped(stageActor.ref());
        ack = Adapter.toTyped(stageActor.ref());
        scheduleOnce("attach", attachTimeout);
        pull(in);
      }

      @Override
      public void onTimer(Object key) {
        if (reader == null) {
          completeStage(); // nobody came: the handshake failed, or its pipe is gone
        }
      }

      @Override
      public void postStop() {
        outgoingDone.complete(Done.getInstance());
      }

      private scala.runtime.BoxedUnit receive(
          scala.Tuple2<org.apache.pekko.actor.ActorRef, Object> message) {
        Object m = message._2();
        if (m instanceof Frame frame) {
          onWriterFrame(frame);
        } else if (m == Reader.LinkAck.INSTANCE) {
          readerWants = true;
          deliver();
        } else if (m instanceof Terminated) {
          completeStage(); // the pipe stopped: its connection goes with it
        }
        return scala.runtime.BoxedUnit.UNIT;
      }

      private void onControl(Control c) {
        if (c instanceof Attach attach) {
          onAttach(attach);
        } else if (c == Shutdown.INSTANCE) {
          completeStage();
        } else if (c == FinishOutgoing.INSTANCE) {
          if (!outgoing.isEmpty()) {
            finishOutgoingAfterFrame = true;
          } else if (!isClosed(out)) {
            complete(out);
            outgoingStopped(null);
          }
        } else if (c == CancelIncoming.INSTANCE) {
          if (!isClosed(in)) {
            cancel(in);
          }
          incoming.clear();
          queuedFrames = 0;
          endReported = true;
          stopWhenDone();
        } else if (c instanceof Abort abort) {
          failStage(abort.cause());
        } else if (c instanceof Fail fail) {
          onFail(fail.cause());
        }
      }

      private void onFail(Throwable cause) {
        if (reader == null) {
          failStage(cause); // nobody attached: nobody to tell
          return;
        }
        boolean endQueued = endReported || incoming.stream().anyMatch(e -> e instanceof End);
        if (!isClosed(in)) {
          cancel(in, cause);
        }
        if (!isClosed(out)) {
          fail(out, cause);
        }
        outgoingDone.complete(Done.getInstance());
        if (!endQueued) {
          incoming.add(new End(cause));
        }
        deliver();
      }

      private void onAttach(Attach attach) {
        if (reader != null) {
          return; // attached once only
        }
        cancelTimer("attach");
        generation = attach.generation();
        writer = attach.writer();
        reader = attach.reader();
        stageActor.watch(Adapter.toClassic(reader));
        writerMaySend = true; // the writer takes the Attach as its first demand
        writer.tell(new Writer.Attach(generation, attach.peerReadPosition(),
            attach.peerHistoryCheck(), attach.peerLimits(), link));
        reader.tell(new Reader.LinkStarted(generation, ack, attach.peerLimits()));
        deliver();
      }

      private void onWriterFrame(Frame frame) {
        if (isClosed(out) || finishOutgoingAfterFrame) {
          return; // the connection stopped taking frames; the reader reports it
        }
        writerMaySend = false;
        if (isAvailable(out) && outgoing.isEmpty()) {
          push(out, frame);
        } else {
          outgoing.add(frame);
        }
        askWriter();
      }

      /**
       * Asks the writer for its next frame while fewer than {@link #SEND_AHEAD} wait here: the
       * writer prepares the next frame while the connection writes this one, instead of after.
       */
      private void askWriter() {
        if (writer != null && !writerMaySend && outgoing.size() < SEND_AHEAD && !isClosed(out)
            && !finishOutgoingAfterFrame) {
          writerMaySend = true;
          writer.tell(new Writer.LinkDemand(generation));
        }
      }

      private void outgoingStopped(Throwable cause) {
        outgoingDone.complete(Done.getInstance());
        if (cause != null && outgoingEnd == null) {
          outgoingEnd = cause;
          deliver();
        }
        stopWhenDone();
      }

      /**
       * Hands the reader what it asked for, in order: the next frame, or the end behind the last
       * one; once it has taken every frame that arrived, the end of the write side.
       */
      private void deliver() {
        if (reader == null || endReported) {
          return;
        }
        Object head = incoming.peek();
        if (head instanceof End end) {
          incoming.poll();
          endReported = true;
          reader.tell(end.failure() == null ? new Reader.LinkEnded(generation)
              : new Reader.LinkFailed(generation, end.failure()));
        } else if (head instanceof Frame frame && readerWants) {
          incoming.poll();
          queuedFrames--;
          readerWants = false;
          reader.tell(new Reader.Inbound(generation, ack, frame));
          if (incoming.peek() instanceof End) {
            deliver(); // the end right behind the last frame: in the reader's mailbox order
          }
        } else if (head == null && readerWants && outgoingEnd != null) {
          endReported = true;
          reader.tell(new Reader.LinkFailed(generation, outgoingEnd));
        }
        stopWhenDone();
      }

      private void pullIfRoom() {
        if (!isClosed(in) && !hasBeenPulled(in) && queuedFrames < PREFETCH) {
          pull(in);
        }
      }

      /** Stops once both directions ended and the reader knows (or nobody is left to know). */
      private void stopWhenDone() {
        if (isClosed(in) && isClosed(out) && endReported) {
          completeStage();
        } else if (!endReported) {
          pullIfRoom();
        }
      }
    }
  }
}
