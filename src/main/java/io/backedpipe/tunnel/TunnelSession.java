package io.backedpipe.tunnel;

import io.backedpipe.BackedPipe;
import io.backedpipe.Completions;
import io.backedpipe.DisconnectCause;
import io.backedpipe.PipeCommand;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeState;
import io.backedpipe.PipeStatus;
import io.backedpipe.ReadReply;
import io.backedpipe.ReadRequest;
import io.backedpipe.transport.FailureText;
import io.backedpipe.transport.TransportSettings;
import io.backedpipe.tunnel.mux.MuxCodec;
import io.backedpipe.tunnel.mux.MuxFrame;
import io.backedpipe.tunnel.mux.MuxProtocolException;
import io.backedpipe.wire.HumanText;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.MergeHub;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * One tunnel connection: the pipe between a {@code connect} and its {@code serve}, and the
 * streams multiplexed over it, one per TCP connection ({@link TunnelChannel}; the frames are
 * {@link MuxFrame}s). On the {@code connect} side there is one session at a time, which carries
 * every local connection accepted while it lives; on the {@code serve} side there is one per
 * client, and each stream it is asked to open dials the target.
 *
 * <p>Because every stream shares the pipe, a new stream costs one frame (and the target's dial),
 * and a lost network is one reconnect, after which every stream goes on where it was. Each stream
 * has its own credit, so a reader that is slow holds up its own stream only.
 *
 * <p>The session logs what happens to the pipe (lost, resumed, closed, why), once per outage, in
 * plain words, and what happens to a stream when it ends abnormally: a TCP connection that fails
 * resets its stream with a reason ({@link TunnelCloseCode}) that the other side logs before
 * resetting its own connection. When the pipe closes for good, every stream is reset. A peer
 * that breaks the multiplexing protocol has the pipe closed with the reason.
 *
 * <p>On the {@code connect} side it owns the pipe (a child, stopped with it); on the {@code serve}
 * side the server's registry owns the pipe and this actor only watches it. It stops once the pipe
 * closed.
 */
public final class TunnelSession {
  /**
   * How long a session whose pipe closed stays up: its pipe's farewell CLOSE may still be on its
   * way ({@code PipeSupervisor} keeps that connection at most 5 s).
   */
  static final Duration LINGER = Duration.ofSeconds(6);
  /** How long a close waits for the pipe to be connected, so the peer can be told why. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(10);
  /** How often a draining session asks its pipe whether every byte was acknowledged. */
  static final Duration DRAIN_POLL = Duration.ofMillis(50);

  private static final Object CLOSE_WAIT_TIMER = "close-wait";
  private static final Object FIRST_CONNECT_TIMER = "first-connect";
  private static final Object SUMMARY_TIMER = "outage-summary";
  private static final Object DRAIN_TIMER = "drain";
  private static final Object DRAIN_POLL_TIMER = "drain-poll";
  private static final Object RESUME_READING_TIMER = "resume-reading";
  /** How soon reading that waited for room tries again. */
  private static final Duration RESUME_READING = Duration.ofMillis(5);

  /** What the session handles. */
  public sealed interface Command {}

  /**
   * Close the session because its tunnel shuts down: wait up to {@code drain} for the peer to
   * acknowledge the bytes already written, then close the pipe with
   * {@link TunnelCloseCode#TUNNEL_STOPPED} and {@code reason}, so that the other end resets its
   * connections at once instead of keeping them for its grace period. Answered once the
   * {@code CLOSE} went out (or could not).
   *
   * @param drain how long to wait for acknowledgements
   * @param reason for the other end's log
   * @param replyTo who is told
   */
  public record Shutdown(Duration drain, String reason, ActorRef<ShutdownDone> replyTo)
      implements Command {}

  /**
   * The answer to a {@link Shutdown}.
   *
   * @param session the session that closed
   * @param drained whether the peer had acknowledged every byte written before the close
   * @param streams how many streams were open when it closed
   */
  public record ShutdownDone(ActorRef<Command> session, boolean drained, int streams) {}

  /**
   * A local application connected ({@code connect} side): carry it as a new stream.
   *
   * @param local its connection
   */
  record Accept(Tcp.IncomingConnection local) implements Command {}

  /**
   * A stream's TCP connection took bytes the peer sent: time to give the peer more credit.
   *
   * @param stream the stream
   * @param bytes how many
   */
  record Consumed(int stream, int bytes) implements Command {}

  /**
   * What a stream sends ended: its EOF or RESET went out, or it was stopped.
   *
   * @param stream the stream
   */
  record OutboundEnded(int stream) implements Command {}

  /**
   * A stream's TCP connection stopped taking the peer's bytes (normally after the peer's EOF).
   *
   * @param stream the stream
   */
  record DeliveryEnded(int stream) implements Command {}

  /**
   * A stream's TCP connection failed or could not be made; its RESET is on its way.
   *
   * @param stream the stream
   * @param reason why
   */
  record ChannelFailed(int stream, TunnelChannel.Reason reason) implements Command {}

  /**
   * What the pipe's reader says: that reading may start, the next piece of the pipe's bytes
   * (the next is asked for only once this one was handled, so a peer cannot flood the mailbox),
   * or that the pipe's bytes ended (its {@code Closed} event says why).
   */
  private record Read(ReadReply reply) implements Command {}

  /** Time to handle the frames that waited for room to answer them. */
  private enum ResumeReading implements Command {
    INSTANCE
  }

  /** The pipe's state while draining; null if the pipe did not answer. */
  private record DrainStatus(PipeStatus status) implements Command {}

  /** Time to ask the pipe again whether everything was acknowledged. */
  private enum DrainPoll implements Command {
    INSTANCE
  }

  /** The drain had its time. */
  private enum DrainOver implements Command {
    INSTANCE
  }

  /** The shutdown's CLOSE went out (or could not). */
  private record ShutdownClosed(boolean drained) implements Command {}

  /** An event of the pipe. */
  private record Event(PipeEvent event) implements Command {}

  /** The pipe's state when this actor started watching it; null if the pipe did not answer. */
  private record StatusSeen(PipeStatus status) implements Command {}

  /** A close has waited long enough for a connection to tell the peer on. */
  private enum CloseWaitOver implements Command {
    INSTANCE
  }

  /**
   * The first connection did not come in time.
   *
   * @param limit how long it was given
   */
  private record FirstConnectOver(Duration limit) implements Command {}

  /** The pipe closed a while ago. */
  private enum LingerOver implements Command {
    INSTANCE
  }

  /** An outage has gone on: time to say it still fails. */
  private enum OutageSummaryDue implements Command {
    INSTANCE
  }

  /** A close to send once the pipe is connected. */
  private record PendingClose(TunnelCloseCode code, String reason) {}

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final UUID id;
  private final String label;
  private final BackedPipe pipe;
  private final boolean owning;
  private final Optional<ActorRef<TunnelEvent>> listener;
  /** The server, as the dialing side's log names it; empty on the serving side. */
  private final Optional<String> server;
  /** How long the dialing side retries, for its log; zero for no limit. */
  private final Duration retryLimit;
  private final TunnelSettings settings;
  /** Where a serving session's streams go; null on the dialing side. */
  private final InetSocketAddress target;
  private final TransportSettings transport;
  /** The dialing side's parent, told when this session takes no more streams. */
  private final Optional<ActorRef<TunnelStreams.Command>> parent;
  private final Materializer materializer;
  private final Outage outage = new Outage();
  /** The streams over the pipe; made when the pipe is joined to them. */
  private TunnelStreamTable streams;
  private boolean connected;
  /** This session closed its pipe itself (and said why when it did). */
  private boolean closedByUs;
  /** Where this session's read replies come; set when the pipe is joined. */
  private ActorRef<ReadReply> readReplies;
  /** The pipe's reader, once it opened; null before and after. */
  private ActorRef<ReadRequest> reader;
  /** A piece of the pipe has frames that wait for room to answer them: the next is not asked. */
  private boolean readHeld;
  /** The peer broke the protocol: what it sends is not read any more. */
  private boolean broken;
  /** The parent was told this session takes no more streams. */
  private boolean retired;
  /** The shutdown in progress, if any. */
  private Shutdown shutdown;
  /** The shutdown's own close is under way; its answer comes as {@link ShutdownClosed}. */
  private boolean shutdownClosing;
  /** The shutdown was answered. */
  private boolean shutdownAnswered;
  /** Streams open when the shutdown began, for its answer. */
  private int streamsAtShutdown;
  private boolean eventSeen;
  private boolean closed;
  private PendingClose pendingClose;

  private TunnelSession(ActorContext<Command> context, TimerScheduler<Command> timers, UUID id,
      String label, BackedPipe pipe, boolean owning, Optional<ActorRef<TunnelEvent>> listener,
      Optional<String> server, Duration retryLimit, TunnelSettings settings,
      InetSocketAddress target, TransportSettings transport,
      Optional<ActorRef<TunnelStreams.Command>> parent) {
    this.context = context;
    this.timers = timers;
    this.id = id;
    this.label = label;
    this.pipe = pipe;
    this.owning = owning;
    this.listener = listener;
    this.server = server;
    this.retryLimit = retryLimit;
    this.settings = settings;
    this.target = target;
    this.transport = transport;
    this.parent = parent;
    this.materializer = Materializer.matFromSystem(context.getSystem());
  }

  /**
   * The {@code connect} side: spawns a dialing pipe as a child and connects it; every
   * {@link Accept} sent to it then becomes a stream over that pipe.
   *
   * @param id the pipe's stream id
   * @param server the {@code serve} end the pipe dials, as the log names it
   * @param pipeBehavior the dialing pipe
   * @param firstConnectLimit how long the first connection may take before the session gives up
   *     and resets its local connections ({@code 0s}: no limit); the reconnect policy's give-up
   *     time only counts from a lost connection, and a server that is down or untrusted from the
   *     start must not leave applications waiting for ever
   * @param settings the streams' window and limit
   * @param listener told of every event of the pipe, if present
   * @param parent told when this session takes no more streams
   * @return the behaviour
   */
  static Behavior<Command> dialing(UUID id, InetSocketAddress server,
      Behavior<PipeCommand> pipeBehavior, Duration firstConnectLimit, TunnelSettings settings,
      Optional<ActorRef<TunnelEvent>> listener, ActorRef<TunnelStreams.Command> parent) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      BackedPipe pipe = BackedPipe.of(context.spawn(pipeBehavior, "pipe"), context.getSystem());
      TunnelSession session = new TunnelSession(context, timers, id,
          "tunnel " + shortId(id) + " to " + HumanText.address(server), pipe, true, listener,
          Optional.of(HumanText.address(server)), firstConnectLimit, settings, null, null,
          Optional.of(parent));
      session.subscribe(false);
      pipe.connect(); // the reconnect policy retries by itself; events say how it goes
      if (!firstConnectLimit.isZero()) {
        timers.startSingleTimer(FIRST_CONNECT_TIMER, new FirstConnectOver(firstConnectLimit),
            firstConnectLimit);
      }
      session.join();
      context.getLog().debug("{}: opened", session.label);
      return session.running();
    }));
  }

  /**
   * The {@code serve} side: carries the streams a client opens over a pipe the server created,
   * each to a new connection to the target.
   *
   * @param id the pipe's stream id
   * @param pipe the server's pipe
   * @param target where the streams' bytes go
   * @param transport the socket options and connect timeout of the target connections
   * @param settings the streams' window and limit
   * @param listener told of every event of the pipe, if present
   * @return the behaviour
   */
  public static Behavior<Command> serving(UUID id, BackedPipe pipe, InetSocketAddress target,
      TransportSettings transport, TunnelSettings settings,
      Optional<ActorRef<TunnelEvent>> listener) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      TunnelSession session = new TunnelSession(context, timers, id,
          "tunnel " + shortId(id), pipe, false, listener, Optional.empty(), Duration.ZERO,
          settings, target, transport, Optional.empty());
      session.subscribe(true);
      session.join();
      context.getLog().debug("{}: opened, streams go to {}", session.label,
          HumanText.address(target));
      return session.running();
    }));
  }

  /**
   * Joins the pipe to the streams: everything they send merges into the pipe after the preamble,
   * and the pipe's bytes come to this actor a piece at a time (the next only once this one was
   * handled, so a peer cannot flood the mailbox).
   */
  private void join() {
    Sink<ByteString, NotUsed> hub = MergeHub.of(ByteString.class, 16)
        .prepend(Source.single(MuxCodec.preamble()))
        .to(pipe.sink())
        .run(materializer);
    // Per stream at most a handful of this side's own frames can wait: a grant comes only after
    // the peer's bytes, which its credit bounds, and a reset ends the stream.
    int controlCapacity = 64 + 4 * settings.maxStreams();
    BoundedSourceQueue<ByteString> control = Source.<ByteString>queue(controlCapacity).to(hub)
        .run(materializer);
    streams = new TunnelStreamTable(label, owning, settings, target, transport, hub, control,
        controlCapacity, context.getSelf(), materializer, context.getLog());
    // read straight from the pipe's reader: a Source and an ActorSink would be two hops more for
    // every piece, and a graph more per tunnel
    readReplies = context.messageAdapter(ReadReply.class, Read::new);
    pipe.read(readReplies);
  }

  private void subscribe(boolean askState) {
    ActorRef<PipeEvent> events = context.messageAdapter(PipeEvent.class, Event::new);
    pipe.subscribe(events);
    if (askState) {
      // The pipe may have connected before this actor subscribed: its status says so.
      context.pipeToSelf(Completions.direct(pipe.status()),
          (status, error) -> new StatusSeen(status));
    }
  }

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(Accept.class, this::onAccept)
        .onMessage(Read.class, m -> onRead(m.reply()))
        .onMessage(Consumed.class, m -> whileOpen(() -> streams.consumed(m.stream(), m.bytes())))
        .onMessage(OutboundEnded.class, m -> whileOpen(() -> streams.outboundEnded(m.stream())))
        .onMessage(ChannelFailed.class, this::onChannelFailed)
        .onMessage(DeliveryEnded.class, m -> whileOpen(() -> streams.deliveryEnded(m.stream())))
        .onMessageEquals(ResumeReading.INSTANCE, this::onResumeReading)
        .onMessage(Event.class, m -> onEvent(m.event()))
        .onMessage(StatusSeen.class, m -> onStatus(m.status()))
        .onMessageEquals(CloseWaitOver.INSTANCE, this::closeNow)
        .onMessageEquals(LingerOver.INSTANCE, Behaviors::stopped)
        .onMessageEquals(OutageSummaryDue.INSTANCE, this::onOutageSummaryDue)
        .onMessage(FirstConnectOver.class, this::onFirstConnectOver)
        .onMessage(Shutdown.class, this::onShutdown)
        .onMessage(DrainStatus.class, m -> onDrainStatus(m.status()))
        .onMessageEquals(DrainPoll.INSTANCE, this::askDrainStatus)
        .onMessageEquals(DrainOver.INSTANCE, () -> closeForShutdown(false))
        .onMessage(ShutdownClosed.class, this::onShutdownClosed)
        .build();
  }

  // ---- streams ----

  private Behavior<Command> onAccept(Accept m) {
    if (retired) {
      // it came while the parent was being told: the parent gives it to the next session
      parent.ifPresent(p -> p.tell(new TunnelStreams.Accept(m.local())));
      return Behaviors.same();
    }
    if (shutdown != null) {
      TunnelChannel.refuse(m.local(), "the tunnel is shutting down", materializer);
      return Behaviors.same();
    }
    TunnelStreamTable.Opened opened = streams.open(m.local());
    if (opened == TunnelStreamTable.Opened.FULL) {
      TunnelChannel.refuse(m.local(), "too many streams", materializer);
    } else if (opened == TunnelStreamTable.Opened.EXHAUSTED) {
      retire(); // the next local connection gets a fresh pipe, and so does this one
      parent.ifPresent(p -> p.tell(new TunnelStreams.Accept(m.local())));
    }
    return Behaviors.same();
  }

  private Behavior<Command> onRead(ReadReply reply) {
    if (reply instanceof ReadReply.Delivered delivered) {
      return onInbound(delivered.bytes());
    } else if (reply instanceof ReadReply.Opened opened) {
      reader = opened.reader();
      askToRead();
    } else {
      reader = null; // the pipe closed: its Closed event says why
    }
    return Behaviors.same();
  }

  /** Asks for the next piece, which also tells the pipe this one was consumed. */
  private void askToRead() {
    if (reader != null) {
      reader.tell(new ReadRequest.Demand(readReplies));
    }
  }

  private Behavior<Command> onInbound(ByteString bytes) {
    if (!broken) {
      try {
        if (!streams.read(bytes)) {
          // the rest waits for room to answer it, and the pipe is not read meanwhile
          readHeld = true;
          timers.startSingleTimer(RESUME_READING_TIMER, ResumeReading.INSTANCE, RESUME_READING);
          return Behaviors.same();
        }
      } catch (MuxProtocolException e) {
        onProtocolBroken(e.getMessage());
      }
    }
    askToRead();
    return Behaviors.same();
  }

  private Behavior<Command> onResumeReading() {
    if (!readHeld) {
      return Behaviors.same();
    }
    try {
      if (!broken && !streams.resume()) {
        timers.startSingleTimer(RESUME_READING_TIMER, ResumeReading.INSTANCE, RESUME_READING);
        return Behaviors.same();
      }
    } catch (MuxProtocolException e) {
      onProtocolBroken(e.getMessage());
    }
    readHeld = false;
    askToRead();
    return Behaviors.same();
  }

  /** A change to the streams that a peer breaking the protocol can make fail. */
  @FunctionalInterface
  private interface StreamChange {
    void apply() throws MuxProtocolException;
  }

  /** Applies a change to the streams while the pipe is open; a fault closes the pipe. */
  private Behavior<Command> whileOpen(StreamChange change) {
    if (!closed) {
      try {
        change.apply();
      } catch (MuxProtocolException e) {
        onProtocolBroken(e.getMessage());
      }
    }
    return Behaviors.same();
  }

  private Behavior<Command> onChannelFailed(ChannelFailed m) {
    if (!closed && !shutdownAnswered) { // else it failed because the session ended it
      streams.failed(m.stream(), m.reason());
    }
    return Behaviors.same();
  }

  private void onProtocolBroken(String what) {
    if (broken) {
      return;
    }
    broken = true;
    retire();
    String why = "tunnel protocol broken: " + what;
    logEnd("{}: the other end broke the tunnel protocol: {}; closing the tunnel connection"
        + " and resetting its {}", label, what, streamCount(streams.size()));
    streams.resetAll(why);
    closeWith(TunnelCloseCode.TUNNEL_PROTOCOL, why);
  }

  /** Tells the parent to give new local connections to a new session. */
  private void retire() {
    if (!retired) {
      retired = true;
      parent.ifPresent(p -> p.tell(new TunnelStreams.Retired(context.getSelf())));
    }
  }

  // ---- shutdown ----

  private Behavior<Command> onShutdown(Shutdown m) {
    if (shutdown != null) {
      return Behaviors.same(); // the first one is under way
    }
    shutdown = m;
    streamsAtShutdown = streams.size();
    streams.refuseNewStreams();
    retire();
    if (closed) {
      return onShutdownClosed(new ShutdownClosed(true));
    }
    timers.startSingleTimer(DRAIN_TIMER, DrainOver.INSTANCE, m.drain());
    return askDrainStatus();
  }

  private Behavior<Command> askDrainStatus() {
    context.pipeToSelf(pipe.status(), (status, error) -> new DrainStatus(status));
    return Behaviors.same();
  }

  private Behavior<Command> onDrainStatus(PipeStatus status) {
    if (shutdownClosing || closed) {
      return Behaviors.same(); // a close is under way, or done: its end answers the shutdown
    }
    if (status != null && status.writePosition() == status.ackedPosition()) {
      return closeForShutdown(true);
    }
    timers.startSingleTimer(DRAIN_POLL_TIMER, DrainPoll.INSTANCE, DRAIN_POLL);
    return Behaviors.same();
  }

  /**
   * Closes the pipe with the shutdown's reason, then asks again: the second close is answered once
   * the CLOSE went out, and only then may the process end.
   */
  private Behavior<Command> closeForShutdown(boolean drained) {
    timers.cancel(DRAIN_TIMER);
    timers.cancel(DRAIN_POLL_TIMER);
    if (closed) {
      return onShutdownClosed(new ShutdownClosed(drained));
    }
    if (shutdownClosing) {
      return Behaviors.same();
    }
    shutdownClosing = true;
    closedByUs = true;
    context.getLog().debug("{}: closing: {}", label, shutdown.reason());
    CompletionStage<Done> farewell = pipe.close(TunnelCloseCode.TUNNEL_STOPPED.code(),
        shutdown.reason()).thenCompose(first -> pipe.close());
    context.pipeToSelf(farewell, (done, error) -> new ShutdownClosed(drained));
    return Behaviors.same();
  }

  private Behavior<Command> onShutdownClosed(ShutdownClosed m) {
    if (shutdownAnswered) {
      return Behaviors.same();
    }
    shutdownAnswered = true;
    streams.resetAll("the tunnel is shutting down");
    shutdown.replyTo().tell(new ShutdownDone(context.getSelf(), m.drained(),
        streamsAtShutdown));
    return owning ? Behaviors.same() : Behaviors.stopped();
  }

  // ---- the pipe ----

  private Behavior<Command> onFirstConnectOver(FirstConnectOver over) {
    return giveUp("no connection to " + server.orElse("the server") + " within "
        + HumanText.duration(over.limit())
        + (outage.failing() ? ": " + outage.lastFailure() : ""));
  }

  private Behavior<Command> onStatus(PipeStatus status) {
    // Null when the ask failed (a stopped pipe), and an event says more recent things.
    if (status != null && !eventSeen) {
      connected = status.state() == PipeState.CONNECTED;
      if (connected && pendingClose != null) {
        return closeNow();
      }
    }
    return Behaviors.same();
  }

  /** Closes the pipe with a reason for the peer, once there is a connection to tell it on. */
  private Behavior<Command> closeWith(TunnelCloseCode code, String reason) {
    if (closed || pendingClose != null) {
      return Behaviors.same(); // the first reason stays
    }
    pendingClose = new PendingClose(code, reason);
    if (connected) {
      return closeNow();
    }
    timers.startSingleTimer(CLOSE_WAIT_TIMER, CloseWaitOver.INSTANCE, CLOSE_WAIT);
    return Behaviors.same();
  }

  private Behavior<Command> closeNow() {
    if (pendingClose != null && !closed) {
      timers.cancel(CLOSE_WAIT_TIMER);
      closedByUs = true;
      pipe.close(pendingClose.code().code(), pendingClose.reason());
    }
    return Behaviors.same();
  }

  private Behavior<Command> onEvent(PipeEvent event) {
    eventSeen = true;
    listener.ifPresent(l -> l.tell(new TunnelEvent(id, event)));
    if (event instanceof PipeEvent.Connected c) {
      return onConnected(c);
    } else if (event instanceof PipeEvent.Disconnected d) {
      connected = false;
      context.getLog().info("{}: link lost ({}); {}", label,
          TunnelWords.linkLost(d.cause(), d.error()),
          owning ? "reconnecting" : "waiting for the client to come back");
    } else if (event instanceof PipeEvent.ReconnectFailed f) {
      return onReconnectFailed(f);
    } else if (event instanceof PipeEvent.DataLost lost) {
      context.getLog().error("{}: data lost: {}", label, lost.error().getMessage());
    } else if (event instanceof PipeEvent.Closed c) {
      return onClosed(c);
    }
    return Behaviors.same();
  }

  private Behavior<Command> onConnected(PipeEvent.Connected c) {
    connected = true;
    timers.cancel(FIRST_CONNECT_TIMER);
    timers.cancel(SUMMARY_TIMER);
    String after = outage.failing() ? " after " + attempts(outage.attempts()) : "";
    outage.end();
    if (c.reconnectCount() == 0) {
      context.getLog().info("{}: connected{}", label, after);
    } else {
      context.getLog().info("{}: resumed on connection {}{}, replayed {} bytes (peer had read {})"
              + " for {}", label, c.generation(), after, c.replayedBytes(), c.peerReadPosition(),
          streamCount(streams.size()));
    }
    return pendingClose != null ? closeNow() : Behaviors.same();
  }

  /**
   * A failed attempt. The dialing side says the first failure of an outage and each new kind of
   * failure in it at INFO, every retry at DEBUG, and now and then that it still fails; an
   * accepting pipe's failed attempts are the client's business (DEBUG).
   */
  private Behavior<Command> onReconnectFailed(PipeEvent.ReconnectFailed f) {
    String failure = FailureText.essence(f.error());
    if (!owning) {
      context.getLog().debug("{}: a connection from the client failed: {}", label, failure);
      return Behaviors.same();
    }
    if (f.nextAttemptIn().isEmpty()) {
      // the local applications must not wait for a pipe that will not come back
      return giveUp("no connection to " + server.orElse("the server") + " after "
          + attempts(Math.max(f.attempt(), outage.attempts())) + ": " + failure);
    }
    boolean first = !outage.failing();
    if (outage.failed(f.attempt(), failure)) {
      context.getLog().info("{}: cannot connect to {}: {}; retrying{}", label,
          server.orElse("the server"), failure, first && !retryLimit.isZero()
              ? " for up to " + HumanText.duration(retryLimit) : "");
    } else {
      context.getLog().debug("{}: attempt {} failed: {}; next in {}", label, f.attempt(),
          failure, HumanText.duration(f.nextAttemptIn().get()));
    }
    if (first) {
      timers.startSingleTimer(SUMMARY_TIMER, OutageSummaryDue.INSTANCE, outage.nextSummaryIn());
    }
    return Behaviors.same();
  }

  private Behavior<Command> onOutageSummaryDue() {
    if (outage.failing() && !closed) {
      Duration failingFor = outage.summaryDue();
      context.getLog().info("{}: still no connection to {} after {} in {}: {}", label,
          server.orElse("the server"), attempts(outage.attempts()),
          HumanText.duration(failingFor), outage.lastFailure());
      timers.startSingleTimer(SUMMARY_TIMER, OutageSummaryDue.INSTANCE, outage.nextSummaryIn());
    }
    return Behaviors.same();
  }

  private static String attempts(int n) {
    return n == 1 ? "1 failed attempt" : n + " failed attempts";
  }

  private static String streamCount(int n) {
    return n == 1 ? "1 stream" : n + " streams";
  }

  /**
   * Resets the local connections (a plain close would read as a clean end of their streams) and
   * closes the pipe.
   */
  private Behavior<Command> giveUp(String why) {
    context.getLog().warn("{}: giving up: {}; resetting {}", label, why,
        localConnections(streams.size()));
    closedByUs = true;
    retire();
    streams.resetAll("gave up: " + why);
    pipe.close();
    return Behaviors.same();
  }

  private static String localConnections(int n) {
    return n == 1 ? "its 1 local connection" : "its " + n + " local connections";
  }

  /**
   * An abnormal end is news to the user of {@code connect} (WARN), but on the server it is
   * something any client can cause, by closing or by walking away (INFO, so a client cannot fill
   * the server's log at WARN).
   */
  private void logEnd(String format, Object... args) {
    if (owning) {
      context.getLog().warn(format, args);
    } else {
      context.getLog().info(format, args);
    }
  }

  private Behavior<Command> onClosed(PipeEvent.Closed c) {
    closed = true;
    connected = false;
    retire();
    timers.cancel(CLOSE_WAIT_TIMER);
    timers.cancel(SUMMARY_TIMER);
    int open = streams.size();
    if (closedByUs && c.cause() == DisconnectCause.CLOSED_BY_USER) {
      context.getLog().debug("{}: closed", label); // its reason was told when it closed
    } else if (owning && c.cause() == DisconnectCause.REFUSED) {
      // the bytes in flight can go nowhere: a reset, not a clean end, tells the applications
      context.getLog().warn("{}: {}; resetting {}", label,
          TunnelWords.streamLost(c.error())
              ? "lost: the server no longer knows it (restarted, the cluster node hosting it left,"
                  + " or the grace period passed)"
              : TunnelWords.closed(c.cause(), c.error(), true), localConnections(open));
    } else if (c.cause() == DisconnectCause.COMPLETED) {
      context.getLog().info("{}: {}", label, TunnelWords.closed(c.cause(), c.error(), owning));
    } else {
      logEnd("{}: {}{}", label, TunnelWords.closed(c.cause(), c.error(), owning),
          open == 0 ? "" : "; resetting " + (owning ? localConnections(open)
              : "the target connections of its " + streamCount(open)));
    }
    streams.resetAll("the tunnel connection closed: " + TunnelWords.closed(c.cause(), c.error(),
        owning));
    if (shutdown != null && !shutdownClosing) {
      // closed by something else while it drained: nothing more to wait for
      timers.cancel(DRAIN_TIMER);
      timers.cancel(DRAIN_POLL_TIMER);
      Behavior<Command> next = onShutdownClosed(new ShutdownClosed(false));
      if (!owning) {
        return next;
      }
    }
    if (!owning && shutdown == null) {
      return Behaviors.stopped(); // the registry owns the pipe and forgets it by itself
    }
    timers.startSingleTimer(LingerOver.INSTANCE, LINGER);
    return Behaviors.same();
  }

  private static String shortId(UUID id) {
    return id.toString().substring(0, 8);
  }
}
