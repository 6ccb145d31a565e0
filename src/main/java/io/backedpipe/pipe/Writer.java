package io.backedpipe.pipe;

import io.backedpipe.DisconnectCause;
import io.backedpipe.FuturePositionException;
import io.backedpipe.HistoryMismatchException;
import io.backedpipe.OutputEndedException;
import io.backedpipe.PipeClosedException;
import io.backedpipe.PipeCommand;
import io.backedpipe.PipeException;
import io.backedpipe.PipeSettings;
import io.backedpipe.PipeStatus;
import io.backedpipe.ProtocolViolationException;
import io.backedpipe.ReplayUnavailableException;
import io.backedpipe.ResumePoint;
import io.backedpipe.SinkAlreadyOpenException;
import io.backedpipe.buffer.ReplayBuffer;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.LinkLimits;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.Cancellable;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.util.ByteString;

/**
 * The outgoing half of a pipe: accepts the application's bytes into the replay window, sends them
 * on the current connection, replays what the peer lacks after a reconnect, and releases what the
 * peer acknowledges.
 *
 * <p>One per pipe, a child of {@link PipeSupervisor}, living as long as the pipe; it owns the
 * {@link ReplayBuffer} and every write position. A write is answered {@link Accepted} only once all
 * of its bytes are in the window, so a full window backpressures the writing Sink whether or not a
 * connection is up; nothing is evicted before the peer acknowledges it. The connection is an
 * {@code ActorSource} with backpressure: one frame is handed over at a time, and every frame joins
 * all pending bytes up to {@code max-frame-bytes}, so a busy pipe sends few large frames.
 *
 * <p>Only {@code Ack} frames release the window, because they count bytes the peer's application
 * read. The peer's handshake position (bytes it received, some perhaps still waiting for its
 * application) only says where to resume sending: were it to release the window too, the peer
 * could be sent more than a window beyond what it read, and its reader could no longer promise to
 * drain the connection.
 *
 * <p>It also watches for a peer that keeps the connection but stops acknowledging: while written
 * bytes wait on a connection, one timer checks that some acknowledgement moved the window within
 * {@code ack-stall-timeout}, and the supervisor is told when a stall starts and ends. An ack only
 * notes the time; the timer re-arms itself for what is left, so a busy pipe pays one clock read
 * per ack and one tick per timeout.
 */
final class Writer extends AbstractBehavior<Writer.Command> {

  /** The writer's protocol. */
  sealed interface Command {}

  /**
   * A write Sink asks for the writer; answered with {@link Opened} or {@link Rejected}.
   *
   * @param replyTo the Sink's stage actor
   */
  record Open(ActorRef<Reply> replyTo) implements Command {}

  /**
   * Bytes to append; answered with {@link Accepted} once all are in the window.
   *
   * @param bytes the bytes
   * @param replyTo who is told
   */
  record Write(ByteString bytes, ActorRef<Reply> replyTo) implements Command {}

  /**
   * End this side's output after the writes before it; answered with {@link Finished} once the
   * peer acknowledged every byte before the end (its application read them).
   *
   * @param replyTo who is told
   */
  record Finish(ActorRef<Reply> replyTo) implements Command {}

  /**
   * The Sink that opened the writer stopped (completed, failed or cancelled): another may open it.
   *
   * @param replyTo the Sink's stage actor
   */
  record Release(ActorRef<Reply> replyTo) implements Command {}

  /**
   * A new connection: replay from the peer's read position on {@code link}.
   *
   * @param generation the connection's generation
   * @param peerReadPosition where the peer resumes
   * @param peerHistoryCheck the peer's check of the bytes before it, if the transport carries one
   * @param peerLimits what the peer accepts: frames and unacknowledged bytes stay within them
   * @param link the connection's outgoing side
   */
  record Attach(long generation, long peerReadPosition, OptionalInt peerHistoryCheck,
      LinkLimits peerLimits, ActorRef<Frame> link) implements Command {}

  /**
   * Check, without changing anything, whether the writer could resume from {@code
   * peerReadPosition}; answered with {@link PipeSupervisor.ResumeChecked}.
   *
   * @param generation the generation of the connection that is up
   * @param accept the accepted connection that asks to take over
   */
  record CheckResume(long generation, PipeCommand.Accept accept) implements Command {}

  /**
   * Stop using the current connection; {@code generation} is the next one.
   *
   * @param generation the generation about to be attempted
   */
  record Detach(long generation) implements Command {}

  /**
   * The connection of {@code generation} took the last frame and wants the next.
   *
   * @param generation the connection's generation
   */
  record LinkDemand(long generation) implements Command {}

  /**
   * Both directions have ended: send CLOSE on the connection of {@code generation} after
   * everything else, and report {@link PipeSupervisor.CloseSent} once the connection took it.
   *
   * @param generation the connection's generation
   */
  record SendClose(long generation) implements Command {}

  /**
   * The reader delivered up to {@code position}: acknowledge it to the peer.
   *
   * @param position the delivered position
   */
  record SendAck(long position) implements Command {}

  /**
   * The peer acknowledged {@code position} on the connection of {@code generation}.
   *
   * @param generation the connection's generation
   * @param position the acknowledged position
   */
  record PeerAcked(long generation, long position) implements Command {}

  /**
   * The pipe closed: refuse everything from now on with {@code reason}. With a {@code farewell},
   * its CLOSE frame goes out on that connection next (ahead of any data not yet sent), and
   * {@link PipeSupervisor.CloseSent} reports when the connection took it.
   *
   * @param reason the answer to every later write
   * @param farewell the CLOSE to tell the peer, if any
   */
  record Close(PipeException reason, Optional<Farewell> farewell) implements Command {
    Close(PipeException reason) {
      this(reason, Optional.empty());
    }
  }

  /**
   * The last frame of a closed pipe.
   *
   * @param generation the connection to send it on
   * @param frame the CLOSE
   */
  record Farewell(long generation, Frame.Close frame) {}

  /**
   * Fill in the write figures and answer the status query.
   *
   * @param partial the snapshot so far
   * @param replyTo who asked
   */
  record ReportStatus(PipeStatus partial, ActorRef<PipeStatus> replyTo) implements Command {}

  /** What the writer answers a write Sink. */
  sealed interface Reply {}

  /**
   * The writer to send writes to, and how many bytes a Sink should join per write.
   *
   * @param writer the writer
   * @param batchBytes the Sink's batch size
   */
  record Opened(ActorRef<Command> writer, int batchBytes) implements Reply {}

  /** Every byte of the write is in the window. */
  enum Accepted implements Reply {
    INSTANCE
  }

  /** The end-of-stream is in the window, after every byte written before it. */
  enum Finished implements Reply {
    INSTANCE
  }

  /**
   * The write or open is refused.
   *
   * @param error why
   */
  record Rejected(PipeException error) implements Reply {}

  /** Time to check whether acknowledgements have stalled on the connection of {@code generation}. */
  private record AckStallCheck(long generation) implements Command {}

  /** A write (or the end of output) waiting for window space, in arrival order. */
  private record Waiting(ByteString rest, ActorRef<Reply> replyTo, boolean finish) {}


  private final ActorRef<PipeCommand> supervisor;
  private final PipeSettings settings;
  /**
   * The pending stall check, if any. Not a {@code TimerScheduler}: its first timer message makes
   * Pekko keep a logging context for the actor's life (about 0.2 KiB per pipe), and a check that
   * comes late measures the wait again, so it is harmless.
   */
  private Cancellable stallCheck;
  private final LongSupplier nanoClock;
  private final ReplayBuffer buffer;
  /** At most a Write and a Finish of the one Sink wait at a time: two slots, not Java's 16. */
  private final ArrayDeque<Waiting> waiting = new ArrayDeque<>(2);
  private long generation = -1;
  private ActorRef<Frame> link;
  private boolean linkReady;
  private long sentPosition;
  /** The furthest any connection was sent: bytes before it that go out again are a replay. */
  private long furthestSent;
  /** The Sink writing into the pipe: one at a time, as one Source reads at a time. */
  private ActorRef<Reply> sink;
  /** Who waits for the peer to acknowledge the whole output (answered {@link Finished}). */
  private final List<ActorRef<Reply>> finishWaiters = new ArrayList<>();
  /** The largest DATA payload on this connection: ours or the peer's, whichever is smaller. */
  private int frameBytes;
  /**
   * The most bytes sent beyond the peer's acknowledgement on this connection: the peer's read
   * buffer, so the peer can always hold what it was sent and keep draining the connection (acks
   * share it). The rest waits in the window.
   */
  private long sendAheadBytes;
  /** The peer's limits last logged, so that a clamp is logged once, not at every reconnect. */
  private LinkLimits loggedPeerLimits = LinkLimits.NONE;
  private long ackToSend;
  private long ackSent;
  /** The generation whose connection this writer reported proved (the peer acked new bytes). */
  private long provedGeneration = -1;
  /** The position after every byte accepted or still waiting for window space. */
  private long queuedPosition;
  /** Where the output ends, once a Finish arrived; -1 before. */
  private long endOfStreamPosition = -1;
  private boolean endOfStreamSent;
  private boolean outputAckReported;
  /** CLOSE on this connection: asked for, handed over, confirmed taken. */
  private boolean closeRequested;
  private boolean closeSent;
  private boolean closeConfirmed;
  private PipeException closedWith;
  private long closedAckedPosition;
  /** After a Close with a farewell: the connection it goes out on, and the frame until it did. */
  private ActorRef<Frame> farewellLink;
  private Frame.Close farewellFrame;
  /** Whether written bytes wait on the connection for an ack (the stall watch runs). */
  private boolean ackWaiting;
  /** Since when: the start of the wait, or the last ack that moved the window. */
  private long ackWaitSinceNs;
  private boolean stallReported;

  private Writer(
      ActorContext<Command> context,
      PipeSettings settings,
      ActorRef<PipeCommand> supervisor,
      LongSupplier nanoClock) {
    super(context);
    this.settings = settings;
    this.supervisor = supervisor;
    this.nanoClock = nanoClock;
    this.buffer = new ReplayBuffer(settings.windowBytes());
  }

  /**
   * Creates the writer of one pipe.
   *
   * @param settings the pipe's settings
   * @param supervisor where reports go
   * @param nanoClock the time in nanoseconds, for the ack stall watch
   * @return the behaviour
   */
  static Behavior<Command> create(
      PipeSettings settings, ActorRef<PipeCommand> supervisor, LongSupplier nanoClock) {
    return Behaviors.setup(context -> new Writer(context, settings, supervisor, nanoClock));
  }

  /**
   * One small {@link Receive} per actor that dispatches by type (the byte path first), instead of
   * a built table of a case object and a handler lambda per row kept for the actor's life.
   */
  @Override
  public Receive<Command> createReceive() {
    return new DispatchReceive<>(this::dispatch, this::cancelStallCheck);
  }

  private Behavior<Command> dispatch(Command m) {
    if (m instanceof Write w) {
      return onWrite(w);
    } else if (m instanceof LinkDemand l) {
      return onLinkDemand(l);
    } else if (m instanceof SendAck s) {
      return onSendAck(s);
    } else if (m instanceof PeerAcked p) {
      return onPeerAcked(p);
    } else if (m instanceof Open o) {
      return onOpen(o);
    } else if (m instanceof Release r) {
      return onRelease(r);
    } else if (m instanceof Finish f) {
      return onFinish(f);
    } else if (m instanceof Attach a) {
      return onAttach(a);
    } else if (m instanceof CheckResume c) {
      return onCheckResume(c);
    } else if (m instanceof SendClose s) {
      return onSendClose(s);
    } else if (m instanceof Detach d) {
      return onDetach(d);
    } else if (m instanceof Close c) {
      return onClose(c);
    } else if (m instanceof ReportStatus r) {
      return onReportStatus(r);
    } else if (m instanceof AckStallCheck a) {
      return onAckStallCheck(a);
    }
    return Behaviors.unhandled();
  }

  private Behavior<Command> onOpen(Open open) {
    if (closedWith != null) {
      open.replyTo().tell(new Rejected(closedWith));
    } else if (endOfStreamPosition >= 0) {
      // Before the open-Sink check: the Sink that ended the output may not have released its slot
      // yet when its completion is seen, and a new Sink can never write here anyway.
      open.replyTo().tell(new Rejected(new OutputEndedException(endOfStreamPosition)));
    } else if (sink != null && !sink.equals(open.replyTo())) {
      open.replyTo().tell(new Rejected(new SinkAlreadyOpenException()));
    } else {
      sink = open.replyTo();
      // A Sink that stops before it learns of us (so cannot release) frees the slot by stopping.
      getContext().watchWith(sink, new Release(sink));
      open.replyTo().tell(new Opened(getContext().getSelf(), settings.writeBatchBytes()));
    }
    return this;
  }

  private Behavior<Command> onRelease(Release release) {
    if (release.replyTo().equals(sink)) {
      getContext().unwatch(sink);
      sink = null;
    }
    return this;
  }

  private Behavior<Command> onWrite(Write write) {
    if (closedWith != null) {
      write.replyTo().tell(new Rejected(closedWith));
    } else if (endOfStreamPosition >= 0) {
      write.replyTo().tell(new Rejected(new OutputEndedException(endOfStreamPosition)));
    } else {
      queuedPosition += write.bytes().size();
      waiting.addLast(new Waiting(write.bytes(), write.replyTo(), false));
      acceptWaiting();
      pump();
      watchAcks();
    }
    return this;
  }

  private Behavior<Command> onFinish(Finish finish) {
    if (closedWith != null) {
      finish.replyTo().tell(new Rejected(closedWith));
    } else {
      if (endOfStreamPosition < 0) {
        endOfStreamPosition = queuedPosition;
      }
      // Answered once every write before it is in the window, like the first Finish.
      waiting.addLast(new Waiting(ByteString.emptyByteString(), finish.replyTo(), true));
      acceptWaiting();
      pump();
      reportOutputAcknowledged();
    }
    return this;
  }

  /** Why the writer cannot resume from {@code peer}, if it cannot. */
  private Optional<PipeException> refusal(long peer, OptionalInt peerHistoryCheck) {
    if (closedWith != null) {
      return Optional.of(closedWith);
    }
    if (peer > buffer.endPosition()) {
      return Optional.of(new FuturePositionException(peer, buffer.endPosition()));
    }
    if (peer < buffer.startPosition()) {
      return Optional.of(
          new ReplayUnavailableException(peer, buffer.startPosition(), buffer.endPosition()));
    }
    if (peerHistoryCheck.isPresent()) {
      int expected = ResumePoint.check(buffer.before(peer, ResumePoint.HISTORY_BYTES));
      if (expected != peerHistoryCheck.getAsInt()) {
        return Optional.of(new HistoryMismatchException(peer, expected,
            peerHistoryCheck.getAsInt()));
      }
    }
    return Optional.empty();
  }

  private Behavior<Command> onCheckResume(CheckResume check) {
    supervisor.tell(new PipeSupervisor.ResumeChecked(check.generation(), check.accept(),
        refusal(check.accept().connection().peerReadPosition(),
            check.accept().connection().peerHistoryCheck())));
    return this;
  }

  private Behavior<Command> onAttach(Attach attach) {
    if (attach.generation() < generation) {
      // The connection's port sends this, after the supervisor's Detach of its generation; a
      // later Detach means the supervisor has abandoned it (and shut it).
      return this;
    }
    long peer = attach.peerReadPosition();
    Optional<PipeException> refused = refusal(peer, attach.peerHistoryCheck());
    if (refused.isPresent()) {
      supervisor.tell(new PipeSupervisor.WriterRejected(attach.generation(), refused.get()));
      return this;
    }
    generation = attach.generation();
    link = attach.link();
    linkReady = true;
    sentPosition = peer;
    agree(attach.peerLimits());
    endOfStreamSent = false;
    closeRequested = false;
    closeSent = false;
    closeConfirmed = false;
    ackSent = 0; // an ack sent on the old connection may have been lost with it: send it again

    // Only bytes some connection carried before are replayed; the rest go out for the first time.
    long replayed = Math.max(0, Math.min(furthestSent, buffer.endPosition()) - peer);
    supervisor.tell(new PipeSupervisor.WriterAttached(generation, peer, replayed));
    acceptWaiting();
    pump();
    watchAcks();
    return this;
  }

  /** Keeps this connection within the peer's limits; says so when they are below ours. */
  private void agree(LinkLimits peer) {
    frameBytes = Math.min(settings.maxFrameBytes(), peer.maxDataBytes());
    sendAheadBytes = Math.min(settings.windowBytes(), peer.readBufferBytes());
    if (!peer.equals(loggedPeerLimits)) {
      loggedPeerLimits = peer;
      if (peer.maxDataBytes() < settings.maxFrameBytes()) {
        getContext().getLog().info("peer accepts frames of at most {} bytes, ours are {}:"
            + " sending {}-byte frames", peer.maxDataBytes(), settings.maxFrameBytes(), frameBytes);
      }
      if (peer.readBufferBytes() < settings.windowBytes()) {
        getContext().getLog().info("peer reads ahead at most {} bytes, our window is {}:"
            + " at most {} bytes unacknowledged on the link", peer.readBufferBytes(),
            settings.windowBytes(), sendAheadBytes);
      }
    }
  }

  private Behavior<Command> onDetach(Detach detach) {
    generation = detach.generation();
    link = null;
    linkReady = false;
    sentPosition = buffer.startPosition();
    watchAcks();
    return this;
  }

  private Behavior<Command> onLinkDemand(LinkDemand demand) {
    if (farewellLink != null && demand.generation() == generation) {
      sendFarewell();
      return this;
    }
    if (demand.generation() == generation && link != null) {
      linkReady = true;
      if (closeSent && !closeConfirmed) {
        closeConfirmed = true; // the connection took the CLOSE: it is on its way
        supervisor.tell(new PipeSupervisor.CloseSent(generation));
      }
      pump();
    }
    return this;
  }

  private Behavior<Command> onSendClose(SendClose send) {
    if (send.generation() == generation && link != null) {
      closeRequested = true;
      pump();
    }
    return this;
  }

  /** The peer acknowledged new bytes on this connection: tell the supervisor, once per connection. */
  private void reportProved() {
    if (provedGeneration != generation) {
      provedGeneration = generation;
      supervisor.tell(new PipeSupervisor.LinkProved(generation));
    }
  }

  /**
   * Once the peer acknowledged every byte before the end: tells the supervisor (once) and answers
   * every Finish.
   */
  private void reportOutputAcknowledged() {
    if (endOfStreamPosition >= 0 && waiting.isEmpty()
        && buffer.startPosition() == endOfStreamPosition) {
      if (!outputAckReported) {
        outputAckReported = true;
        supervisor.tell(PipeSupervisor.OutputAcknowledged.INSTANCE);
      }
      finishWaiters.forEach(w -> w.tell(Finished.INSTANCE));
      finishWaiters.clear();
    }
  }

  private Behavior<Command> onSendAck(SendAck ack) {
    ackToSend = Math.max(ackToSend, ack.position());
    pump();
    return this;
  }

  private Behavior<Command> onPeerAcked(PeerAcked acked) {
    if (acked.generation() != generation || link == null) {
      return this; // not from the attached connection (an older one, or one not yet accepted)
    }
    long position = acked.position();
    if (position > sentPosition) {
      supervisor.tell(
          new PipeSupervisor.LinkLost(
              generation,
              DisconnectCause.PROTOCOL_VIOLATION,
              Optional.of(
                  new ProtocolViolationException(
                      "ack beyond sent: ackPosition=" + position
                          + " sentPosition=" + sentPosition))));
    } else if (position > buffer.startPosition()) {
      reportProved();
      noteAckProgress();
      buffer.releaseTo(position);
      acceptWaiting();
      pump();
      reportOutputAcknowledged();
      watchAcks();
    }
    return this;
  }

  private Behavior<Command> onClose(Close close) {
    if (closedWith == null) {
      closedWith = close.reason(); // the first reason stays
      close.farewell()
          .filter(f -> f.generation() == generation && link != null)
          .ifPresent(f -> {
            farewellLink = link;
            farewellFrame = f.frame();
            if (linkReady) {
              sendFarewell();
            }
          });
    }
    link = null;
    linkReady = false;
    closedAckedPosition = buffer.startPosition();
    buffer.releaseTo(buffer.endPosition()); // a closed pipe holds no bytes
    waiting.forEach(w -> w.replyTo().tell(new Rejected(closedWith)));
    waiting.clear();
    // A clean end (COMPLETED) means the peer has our whole output, even if its last ACK was lost
    // with the connection (the server then answers COMPLETED to the next HELLO): delivered.
    boolean delivered = closedWith instanceof PipeClosedException closed
        && closed.closeCause() == DisconnectCause.COMPLETED;
    finishWaiters.forEach(w -> w.tell(delivered ? Finished.INSTANCE : new Rejected(closedWith)));
    if (delivered && finishWaiters.contains(sink)) {
      sink = null; // answered: it completes
    }
    finishWaiters.clear();
    if (sink != null) {
      // An idle Sink (nothing waiting) learns it too: its upstream is cancelled, its value fails.
      sink.tell(new Rejected(closedWith));
      getContext().unwatch(sink);
      sink = null;
    }
    watchAcks();
    return this;
  }

  private Behavior<Command> onReportStatus(ReportStatus report) {
    long acked = closedWith == null ? buffer.startPosition() : closedAckedPosition;
    Optional<Duration> stalledFor = ackWaiting
        ? Optional.of(Duration.ofNanos(nanoClock.getAsLong() - ackWaitSinceNs))
        : Optional.empty();
    report.replyTo().tell(
        report.partial().withWriter(buffer.endPosition(), acked).withAckStalledFor(stalledFor));
    return this;
  }

  /**
   * Starts the stall watch when written bytes begin to wait on a connection, and ends it when none
   * wait or the connection is gone. A stall that ends with the connection needs no report: the
   * supervisor publishes the loss.
   */
  private void watchAcks() {
    boolean waits = link != null && buffer.endPosition() > buffer.startPosition()
        && !settings.ackStallTimeout().isZero();
    if (waits && !ackWaiting) {
      ackWaiting = true;
      ackWaitSinceNs = nanoClock.getAsLong();
      checkStallIn(settings.ackStallTimeout());
    } else if (!waits && ackWaiting) {
      ackWaiting = false;
      stallReported = false;
      cancelStallCheck();
    }
  }

  /** An ack moved the window: the wait starts over, and a reported stall is over. */
  private void noteAckProgress() {
    if (!ackWaiting) {
      return;
    }
    long now = nanoClock.getAsLong();
    if (stallReported) {
      stallReported = false;
      supervisor.tell(new PipeSupervisor.AckResumed(generation,
          Duration.ofNanos(now - ackWaitSinceNs)));
      checkStallIn(settings.ackStallTimeout());
    }
    ackWaitSinceNs = now;
  }

  /** Reports a stall once; before the timeout (acks came meanwhile) re-arms for the rest. */
  private Behavior<Command> onAckStallCheck(AckStallCheck check) {
    // this one, or one cancelled too late: a newer one still pending can no longer be cancelled,
    // but it only measures the wait again when it comes
    stallCheck = null;
    if (check.generation() != generation || !ackWaiting || stallReported) {
      return this;
    }
    Duration waited = Duration.ofNanos(nanoClock.getAsLong() - ackWaitSinceNs);
    Duration left = settings.ackStallTimeout().minus(waited);
    if (left.isNegative() || left.isZero()) {
      stallReported = true;
      supervisor.tell(new PipeSupervisor.AckStalled(generation,
          buffer.endPosition() - buffer.startPosition(), waited));
    } else {
      checkStallIn(left);
    }
    return this;
  }

  /** Replaces the pending stall check with one for the current connection after {@code delay}. */
  private void checkStallIn(Duration delay) {
    cancelStallCheck();
    stallCheck = getContext().scheduleOnce(delay, getContext().getSelf(),
        new AckStallCheck(generation));
  }

  private void cancelStallCheck() {
    if (stallCheck != null) {
      stallCheck.cancel();
      stallCheck = null;
    }
  }

  /** Hands over the farewell CLOSE; at the next demand, reports that the connection took it. */
  private void sendFarewell() {
    if (farewellFrame != null) {
      farewellLink.tell(farewellFrame);
      farewellFrame = null;
    } else {
      farewellLink = null;
      supervisor.tell(new PipeSupervisor.CloseSent(generation));
    }
  }

  /** Moves waiting writes into the window, in order, as far as it has room. */
  private void acceptWaiting() {
    while (!waiting.isEmpty()) {
      Waiting head = waiting.pollFirst();
      if (head.finish()) {
        finishWaiters.add(head.replyTo()); // answered once the peer acknowledged it all
        continue;
      }
      int taken = buffer.append(head.rest());
      if (taken < head.rest().size()) {
        waiting.addFirst(new Waiting(head.rest().drop(taken), head.replyTo(), false));
        return;
      }
      head.replyTo().tell(Accepted.INSTANCE);
    }
  }

  /** Hands the connection its next frame when it has asked for one: acks first, then data. */
  private void pump() {
    if (link == null || !linkReady) {
      return;
    }
    if (ackToSend > ackSent) {
      ackSent = ackToSend;
      send(new Frame.Ack(ackToSend));
    } else if (sentPosition < buffer.endPosition() && sentPosition < sendLimit()) {
      ByteString chunk = buffer.slice(sentPosition,
          (int) Math.min(frameBytes, sendLimit() - sentPosition));
      sentPosition += chunk.size();
      furthestSent = Math.max(furthestSent, sentPosition);
      send(new Frame.Data(chunk));
    } else if (sentPosition < buffer.endPosition()) {
      return; // the peer's read buffer is full: its next ack makes room
    } else if (!endOfStreamSent && sentPosition == endOfStreamPosition) {
      endOfStreamSent = true;
      send(new Frame.EndOfStream(endOfStreamPosition));
    } else if (closeRequested && !closeSent && endOfStreamSent) {
      closeSent = true;
      send(new Frame.Close(0, "finished"));
    }
  }

  /** The position up to which this connection may be sent: the peer's read buffer past its ack. */
  private long sendLimit() {
    return buffer.startPosition() + sendAheadBytes; // at most the window (an int): no overflow
  }

  private void send(Frame frame) {
    linkReady = false;
    link.tell(frame);
  }
}
