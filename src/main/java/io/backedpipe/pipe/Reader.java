package io.backedpipe.pipe;

import io.backedpipe.DisconnectCause;
import io.backedpipe.PipeClosedException;
import io.backedpipe.PipeCommand;
import io.backedpipe.ReadReply;
import io.backedpipe.ReadRequest;
import io.backedpipe.PipeSettings;
import io.backedpipe.PipeStatus;
import io.backedpipe.ProtocolViolationException;
import io.backedpipe.ResumePoint;
import io.backedpipe.SourceAlreadyOpenException;
import io.backedpipe.buffer.HistoryTail;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import io.backedpipe.wire.LinkLimits;
import java.util.Optional;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.util.ByteString;

/**
 * The incoming half of a pipe: takes frames from the current connection, hands bytes to the
 * application's reader (its Source, or an actor that reads with {@link ReadRequest}s) in order,
 * counts them, and acknowledges them to the peer.
 *
 * <p>One per pipe, a child of {@link PipeSupervisor}, living as long as the pipe; it owns the read
 * positions. Every frame arrives stamped with the generation of its connection: frames of any
 * generation but the current one are dropped uncounted and unacknowledged, so the position it
 * reports at a switch ({@link SwitchGeneration}) is exactly what it accepted.
 *
 * <p>Frames of a new connection are not even asked for until the supervisor {@link Activate}s its
 * generation, which it does once the writer has accepted the peer's position: a connection that is
 * refused never gets a byte counted.
 *
 * <p>A delivery counts (moves {@code readPosition} and is acknowledged) only once the reader shows
 * it was consumed, by asking for more or by saying so when it stops; a delivery the reader did not
 * take goes back to the front of the pending bytes for the next reader.
 *
 * <p>Flow control is the peer's window, not the connection: the reader acknowledges only bytes the
 * application read, so the peer never has more than its window in flight, and the reader keeps
 * draining the connection while the application is slow. That keeps acknowledgements (which share
 * the connection with data) moving, so two pipes feeding each other cannot deadlock. Only past
 * {@code read-buffer-bytes} (at least the peer's window) does it stop asking the connection for
 * more. Delivered bytes are acknowledged through the writer once {@code ack-every-bytes} have been
 * delivered, or after {@code ack-interval}.
 */
final class Reader extends AbstractBehavior<ReadRequest> {
  /**
   * The reader's own protocol. A reading actor or Source sends it the public
   * {@link ReadRequest}s too, so the actor's type is {@code ReadRequest}.
   */
  sealed interface Command extends ReadRequest {}

  /**
   * A read Source or reading actor asks to read ({@link PipeCommand.Read}, forwarded); answered
   * with {@link ReadReply.Opened}, {@link ReadReply.Completed} or {@link ReadReply.Failed}.
   *
   * @param replyTo the Source's stage actor or the reading actor
   */
  record Open(ActorRef<ReadReply> replyTo) implements Command {}

  /**
   * Accept frames of {@code generation} only from now on, and report the received position.
   *
   * @param generation the generation about to be attached
   */
  record SwitchGeneration(long generation) implements Command {}

  /**
   * The writer accepted the peer's position on the connection of {@code generation}: its frames
   * may now be read.
   *
   * @param generation the connection's generation
   */
  record Activate(long generation) implements Command {}

  /**
   * The connection of {@code generation} is ready to deliver frames.
   *
   * @param generation the connection's generation
   * @param ack where to signal demand for the next frame
   * @param peerLimits what the peer said it works with: its window sets how often to acknowledge
   */
  record LinkStarted(long generation, ActorRef<LinkAck> ack, LinkLimits peerLimits)
      implements Command {}

  /**
   * A frame from the connection of {@code generation}.
   *
   * @param generation the connection's generation
   * @param ack where to signal demand for the next frame
   * @param frame the frame
   */
  record Inbound(long generation, ActorRef<LinkAck> ack, Frame frame) implements Command {}

  /**
   * The connection of {@code generation} ended (transport EOF).
   *
   * @param generation the connection's generation
   */
  record LinkEnded(long generation) implements Command {}

  /**
   * The connection of {@code generation} failed.
   *
   * @param generation the connection's generation
   * @param cause the transport's error
   */
  record LinkFailed(long generation, Throwable cause) implements Command {}

  /**
   * The pipe closed: end the Source (completed on a user close, failed otherwise).
   *
   * @param reason why the pipe closed
   */
  record Close(PipeClosedException reason) implements Command {}

  /**
   * Fill in the read figures and pass the status query on to the writer.
   *
   * @param partial the snapshot so far
   * @param replyTo who asked
   */
  record ReportStatus(PipeStatus partial, ActorRef<PipeStatus> replyTo) implements Command {}

  /**
   * The open reader stopped without a {@link ReadRequest.Cancel} (an actor that failed): what it
   * was handed and did not show consumed goes to the next reader.
   *
   * @param subscriber the reader that stopped
   */
  private record SubscriberStopped(ActorRef<ReadReply> subscriber) implements Command {}

  /** Time to acknowledge delivered bytes that no byte threshold has acknowledged yet. */
  private enum AckTick implements Command {
    INSTANCE
  }

  /** The demand signal of the connection's sink. */
  enum LinkAck {
    INSTANCE
  }


  private final ActorRef<PipeCommand> supervisor;
  private final ActorRef<Writer.Command> writer;
  /**
   * The pending {@link AckTick}, if any. Not a {@code TimerScheduler}: its first timer message
   * makes Pekko keep a logging context for the actor's life (about 0.2 KiB per pipe), and a late
   * tick here only acknowledges what was read, which is always right.
   */
  private Cancellable ackTick;
  private final PipeSettings settings;
  private long generation = -1;
  private boolean active;
  private long readPosition;
  /** Handed to the Source but not yet shown consumed; not counted in {@code readPosition}. */
  private ByteString inFlight = ByteString.emptyByteString();
  private long ackedPosition;
  /**
   * Acknowledge once this many bytes were committed: {@code ack-every-bytes}, or less when the
   * peer's window (as far as our read buffer lets it use it) is small, so that acks come before
   * the peer's window fills. Set per connection from the peer's limits.
   */
  private long ackEveryBytes;
  private ByteString pending = ByteString.emptyByteString();
  private ActorRef<LinkAck> linkAck;
  private boolean ackOwed;
  private ActorRef<ReadReply> subscriber;
  private boolean demand;
  private long endOfStreamPosition = -1;
  private boolean inputEndReported;
  /** The last received bytes, for the history check of the position reported at a switch. */
  private ByteString history = ByteString.emptyByteString();
  private PipeClosedException closedWith;
  /** The generation whose connection this reader reported proved (data arrived on it). */
  private long provedGeneration = -1;
  /**
   * The generation on whose connection this reader last asked for an ack: the first delivery
   * committed on each connection is acknowledged at once, since that ack is what proves the
   * connection to a peer that only writes (it counts as proved only on an ack or on data).
   */
  private long ackedGeneration = -1;

  private Reader(
      ActorContext<ReadRequest> context,
      PipeSettings settings,
      ActorRef<PipeCommand> supervisor,
      ActorRef<Writer.Command> writer) {
    super(context);
    this.settings = settings;
    this.ackEveryBytes = settings.ackEveryBytes();
    this.supervisor = supervisor;
    this.writer = writer;
  }

  /**
   * Creates the reader of one pipe.
   *
   * @param settings the pipe's settings
   * @param supervisor where reports go
   * @param writer the pipe's writer, which carries acknowledgements to the peer
   * @return the behaviour
   */
  static Behavior<ReadRequest> create(
      PipeSettings settings,
      ActorRef<PipeCommand> supervisor,
      ActorRef<Writer.Command> writer) {
    return Behaviors.setup(context -> new Reader(context, settings, supervisor, writer));
  }

  /**
   * One small {@link Receive} per actor that dispatches by type (the byte path first), instead of
   * a built table of a case object and a handler lambda per row kept for the actor's life.
   */
  @Override
  public Receive<ReadRequest> createReceive() {
    return new DispatchReceive<>(this::dispatch, this::cancelAckTick);
  }

  private Behavior<ReadRequest> dispatch(ReadRequest m) {
    if (m instanceof Inbound i) {
      return onInbound(i);
    } else if (m instanceof ReadRequest.Demand d) {
      return onDemand(d);
    } else if (m == AckTick.INSTANCE) {
      return onAckTick();
    } else if (m instanceof LinkStarted l) {
      return onLinkStarted(l);
    } else if (m instanceof LinkEnded l) {
      return onLinkEnded(l);
    } else if (m instanceof LinkFailed l) {
      return onLinkFailed(l);
    } else if (m instanceof SwitchGeneration s) {
      return onSwitchGeneration(s);
    } else if (m instanceof Activate a) {
      return onActivate(a);
    } else if (m instanceof Open o) {
      return onOpen(o);
    } else if (m instanceof ReadRequest.Cancel c) {
      return onCancel(c);
    } else if (m instanceof Close c) {
      return onClose(c);
    } else if (m instanceof ReportStatus r) {
      return onReportStatus(r);
    } else if (m instanceof SubscriberStopped s) {
      return onSubscriberStopped(s);
    }
    return Behaviors.unhandled();
  }

  private long receivedPosition() {
    return readPosition + inFlight.size() + pending.size();
  }

  private Behavior<ReadRequest> onInbound(Inbound inbound) {
    if (inbound.generation() != generation || !active) {
      return this; // an old or unaccepted connection's frame: dropped, uncounted, unacknowledged
    }
    linkAck = inbound.ack();
    Frame frame = inbound.frame();
    if (frame instanceof Frame.Data data) {
      onData(data);
    } else if (frame instanceof Frame.Ack ack) {
      writer.tell(new Writer.PeerAcked(generation, ack.position()));
      askForNextFrame();
    } else if (frame instanceof Frame.EndOfStream end) {
      onEndOfStream(end);
    } else if (frame instanceof Frame.Close close) {
      supervisor.tell(new PipeSupervisor.PeerClosed(generation, close.code(), close.reason()));
      askForNextFrame();
    } else {
      // Handshake and heartbeat frames are the transport's; one reaching the pipe is a violation.
      violated("unexpected frame on an established connection: frame=" + FrameCodec.describe(frame));
    }
    return this;
  }

  private void onData(Frame.Data data) {
    if (endOfStreamPosition >= 0) {
      violated("data after end-of-stream: endOfStreamPosition=" + endOfStreamPosition
          + " dataSize=" + data.payload().size());
      return;
    }
    ByteString payload = data.payload();
    if (provedGeneration != generation && !payload.isEmpty()) {
      provedGeneration = generation; // the peer's new bytes: this connection works
      supervisor.tell(new PipeSupervisor.LinkProved(generation));
    }
    pending = pending.concat(payload);
    history = HistoryTail.append(history, payload);
    ackOwed = true;
    deliver(); // asks for the next frame when it hands bytes over, or:
    releaseLink();
  }

  /** The frame was handled: ask the connection for the next one (if the read buffer allows). */
  private void askForNextFrame() {
    ackOwed = true;
    releaseLink();
  }

  /** Asks the connection for the next frame, unless a misbehaving peer overran the read buffer. */
  private void releaseLink() {
    if (ackOwed && active && linkAck != null
        && pending.size() <= settings.readBufferBytes()) {
      ackOwed = false;
      linkAck.tell(LinkAck.INSTANCE);
    }
  }

  private void onEndOfStream(Frame.EndOfStream end) {
    if (end.position() != receivedPosition()) {
      violated("end-of-stream position mismatch: endOfStreamPosition=" + end.position()
          + " receivedPosition=" + receivedPosition());
      return;
    }
    endOfStreamPosition = end.position();
    askForNextFrame();
    deliver();
  }

  private void violated(String detail) {
    supervisor.tell(
        new PipeSupervisor.LinkLost(
            generation,
            DisconnectCause.PROTOCOL_VIOLATION,
            Optional.of(new ProtocolViolationException(detail))));
  }

  private Behavior<ReadRequest> onLinkStarted(LinkStarted started) {
    if (started.generation() == generation) {
      linkAck = started.ack();
      ackEveryBytes = ackEveryBytes(settings, started.peerLimits());
      askForNextFrame();
    }
    return this;
  }

  private Behavior<ReadRequest> onActivate(Activate activate) {
    if (activate.generation() == generation) {
      active = true;
      releaseLink();
    }
    return this;
  }

  private Behavior<ReadRequest> onLinkEnded(LinkEnded ended) {
    if (ended.generation() == generation) {
      supervisor.tell(
          new PipeSupervisor.LinkLost(generation, DisconnectCause.LINK_CLOSED, Optional.empty()));
    }
    return this;
  }

  private Behavior<ReadRequest> onLinkFailed(LinkFailed failed) {
    if (failed.generation() == generation) {
      supervisor.tell(
          new PipeSupervisor.LinkLost(
              generation, DisconnectCause.LINK_FAILED, Optional.of(failed.cause())));
    }
    return this;
  }

  private Behavior<ReadRequest> onSwitchGeneration(SwitchGeneration next) {
    generation = next.generation();
    active = false;
    linkAck = null;
    ackOwed = false;
    supervisor.tell(new PipeSupervisor.ReaderSwitched(generation,
        new ResumePoint(receivedPosition(), ResumePoint.check(history), settings.linkLimits())));
    return this;
  }

  private Behavior<ReadRequest> onOpen(Open open) {
    if (closedWith != null) {
      open.replyTo().tell(endReply());
    } else if (subscriber != null) {
      open.replyTo().tell(new ReadReply.Failed(new SourceAlreadyOpenException()));
    } else {
      subscriber = open.replyTo();
      demand = false;
      // a Source says when it stops; an actor may fail without a word
      getContext().watchWith(subscriber, new SubscriberStopped(subscriber));
      subscriber.tell(new ReadReply.Opened(getContext().getSelf()));
      deliver();
    }
    return this;
  }

  private Behavior<ReadRequest> onDemand(ReadRequest.Demand request) {
    if (request.replyTo().equals(subscriber)) {
      commit(); // asking for more shows the previous delivery was consumed
      demand = true;
      deliver();
    }
    return this;
  }

  private Behavior<ReadRequest> onCancel(ReadRequest.Cancel cancel) {
    if (cancel.replyTo().equals(subscriber)) {
      release(cancel.consumedLast());
    }
    return this;
  }

  private Behavior<ReadRequest> onSubscriberStopped(SubscriberStopped stopped) {
    if (stopped.subscriber().equals(subscriber)) {
      release(false); // it cannot say whether it passed the last delivery on: the next one gets it
    }
    return this;
  }

  /** Lets the reader go; what it did not consume goes back to the front for the next one. */
  private void release(boolean consumedLast) {
    if (consumedLast) {
      commit();
    } else {
      pending = inFlight.concat(pending); // the next reader gets these bytes first
      inFlight = ByteString.emptyByteString();
    }
    forgetSubscriber();
  }

  /** Nothing more goes to the reader (it was told the end, or let go). */
  private void forgetSubscriber() {
    getContext().unwatch(subscriber); // nothing to undo if it stopped already
    subscriber = null;
    demand = false;
  }

  private Behavior<ReadRequest> onClose(Close close) {
    if (closedWith == null) {
      closedWith = close.reason(); // the first reason stays
    }
    generation = Long.MIN_VALUE; // no connection's frames count any more
    linkAck = null;
    active = false;
    pending = ByteString.emptyByteString();
    inFlight = ByteString.emptyByteString();
    cancelAckTick();
    if (subscriber != null) {
      subscriber.tell(endReply());
      forgetSubscriber();
    }
    return this;
  }

  private ReadReply endReply() {
    DisconnectCause cause = closedWith.closeCause();
    return cause == DisconnectCause.CLOSED_BY_USER || cause == DisconnectCause.COMPLETED
        ? ReadReply.Completed.INSTANCE
        : new ReadReply.Failed(closedWith);
  }

  /** So that no tick outlives the pipe (it would be a dead letter). */
  private void cancelAckTick() {
    if (ackTick != null) {
      ackTick.cancel();
      ackTick = null;
    }
  }

  private Behavior<ReadRequest> onAckTick() {
    ackTick = null;
    if (closedWith == null) { // a tick that was already on its way when the pipe closed
      flushAck();
    }
    return this;
  }

  private Behavior<ReadRequest> onReportStatus(ReportStatus report) {
    writer.tell(
        new Writer.ReportStatus(
            report.partial().withReader(readPosition, receivedPosition()), report.replyTo()));
    return this;
  }

  /** Hands pending bytes to a Source that asked, then completes it at the end of the stream. */
  private void deliver() {
    if (subscriber == null) {
      return;
    }
    if (demand && !pending.isEmpty()) {
      subscriber.tell(new ReadReply.Delivered(pending));
      inFlight = pending;
      pending = ByteString.emptyByteString();
      demand = false;
      releaseLink();
    }
    // Completes only once the last delivery was shown consumed (by the next Demand), so a Source
    // that stops with it still on the way hands it back like any other delivery.
    if (pending.isEmpty() && inFlight.isEmpty() && endOfStreamPosition >= 0
        && readPosition == endOfStreamPosition) {
      subscriber.tell(ReadReply.Completed.INSTANCE);
      forgetSubscriber();
      if (!inputEndReported) {
        inputEndReported = true;
        flushAck(); // the peer's clean end waits for it; and no ACK should follow our CLOSE
        supervisor.tell(PipeSupervisor.InputEnded.INSTANCE);
      }
    }
  }

  /** Counts the delivery the Source has shown it consumed, and acknowledges it in due course. */
  private void commit() {
    if (!inFlight.isEmpty()) {
      readPosition += inFlight.size();
      inFlight = ByteString.emptyByteString();
      scheduleAck();
    }
  }

  private void scheduleAck() {
    boolean firstOnConnection = active && ackedGeneration != generation;
    if (firstOnConnection || readPosition - ackedPosition >= ackEveryBytes) {
      sendAck();
    } else if (ackTick == null) {
      ackTick = getContext().scheduleOnce(settings.ackInterval(), getContext().getSelf(),
          AckTick.INSTANCE);
    }
  }

  /** Half of what the peer may have unacknowledged, at most {@code ack-every-bytes}. */
  static long ackEveryBytes(PipeSettings settings, LinkLimits peer) {
    long peerInFlight = Math.min(peer.windowBytes(), settings.readBufferBytes());
    return Math.max(1, Math.min(settings.ackEveryBytes(), peerInFlight / 2));
  }

  private void flushAck() {
    if (readPosition > ackedPosition) {
      sendAck();
    }
  }

  private void sendAck() {
    ackedPosition = readPosition;
    ackedGeneration = generation;
    writer.tell(new Writer.SendAck(readPosition));
  }
}
