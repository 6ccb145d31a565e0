package io.backedpipe.tunnel;

import io.backedpipe.BackedPipe;
import io.backedpipe.Completions;
import io.backedpipe.DisconnectCause;
import io.backedpipe.PipeCommand;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeState;
import io.backedpipe.PipeStatus;
import io.backedpipe.transport.FailureText;
import io.backedpipe.transport.TransportSettings;
import io.backedpipe.wire.HumanText;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * One tunneled stream: a pipe joined to one plain TCP connection, the local application's on the
 * {@code connect} side and the target's on the {@code serve} side. It relays bytes both ways (an
 * EOF becomes the pipe's end-of-stream and the other way round, so half-closes carry through),
 * logs what happens to the pipe, and turns a failure of its TCP connection into a {@code CLOSE}
 * with a {@link TunnelCloseCode} and a reason, so the other end closes its connection too.
 *
 * <p>On the {@code connect} side it owns the pipe (a child, stopped with it); on the {@code serve}
 * side the server's registry owns the pipe and this actor only watches it. It stops once the pipe
 * closed.
 */
public final class TunnelStream {
  /**
   * How long a stream whose pipe closed stays up: its pipe's farewell CLOSE may still be on its way
   * ({@code PipeSupervisor} keeps that connection at most 5 s).
   */
  static final Duration LINGER = Duration.ofSeconds(6);
  /** How long a close waits for the pipe to be connected, so the peer can be told why. */
  static final Duration CLOSE_WAIT = Duration.ofSeconds(10);

  private static final Object CLOSE_WAIT_TIMER = "close-wait";
  private static final Object FIRST_CONNECT_TIMER = "first-connect";
  private static final Object SUMMARY_TIMER = "outage-summary";
  private static final Object DRAIN_TIMER = "drain";
  private static final Object DRAIN_POLL_TIMER = "drain-poll";
  /** How often a draining stream asks its pipe whether every byte was acknowledged. */
  static final Duration DRAIN_POLL = Duration.ofMillis(50);

  /** What the stream handles: its pipe's events and its TCP connection's end. */
  public sealed interface Command {}

  /**
   * Close the stream because its tunnel shuts down: wait up to {@code drain} for the peer to
   * acknowledge the bytes already written, then close the pipe with
   * {@link TunnelCloseCode#TUNNEL_STOPPED} and {@code reason}, so that the other end closes its
   * connection at once instead of keeping the stream for its grace period. Answered once the
   * {@code CLOSE} went out (or could not), with whether every byte had been acknowledged.
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
   * @param stream the stream that closed
   * @param drained whether the peer had acknowledged every byte written before the close
   */
  public record ShutdownDone(ActorRef<Command> stream, boolean drained) {}

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

  /** The TCP connection stopped writing into the pipe: its EOF (empty) or its failure. */
  private record TcpEnded(Optional<Throwable> error) implements Command {}

  /** The target could not be reached. */
  private record TargetUnreachable(Throwable error) implements Command {}

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
  private final Outage outage = new Outage();
  private boolean connected;
  /** This stream closed its pipe itself (and said why when it did). */
  private boolean closedByUs;
  /** The shutdown in progress, if any. */
  private Shutdown shutdown;
  /** The shutdown's own close is under way; its answer comes as {@link ShutdownClosed}. */
  private boolean shutdownClosing;
  /** The shutdown was answered. */
  private boolean shutdownAnswered;
  private boolean eventSeen;
  private boolean closed;
  private PendingClose pendingClose;
  /** Resets the local application's connection when the stream gives up (dialing side only). */
  private final SharedKillSwitch localSwitch = KillSwitches.shared("tunnel-local");

  private TunnelStream(ActorContext<Command> context, TimerScheduler<Command> timers, UUID id,
      String label, BackedPipe pipe, boolean owning, Optional<ActorRef<TunnelEvent>> listener,
      Optional<String> server, Duration retryLimit) {
    this.context = context;
    this.timers = timers;
    this.id = id;
    this.label = label;
    this.pipe = pipe;
    this.owning = owning;
    this.listener = listener;
    this.server = server;
    this.retryLimit = retryLimit;
  }

  /**
   * The {@code connect} side: spawns a dialing pipe as a child, connects it, and relays the local
   * application's connection through it.
   *
   * @param id the stream's id
   * @param local the local application's connection
   * @param server the {@code serve} end the pipe dials, as the log names it
   * @param pipeBehavior the dialing pipe
   * @param firstConnectLimit how long the first connection may take before the stream gives up
   *     and closes the local connection ({@code 0s}: no limit); the reconnect policy's give-up
   *     time only counts from a lost connection, and a server that is down or untrusted from the
   *     start must not leave the application waiting for ever
   * @param listener told of every event of the pipe, if present
   * @return the behaviour
   */
  public static Behavior<Command> dialing(UUID id, Tcp.IncomingConnection local,
      InetSocketAddress server, Behavior<PipeCommand> pipeBehavior,
      Duration firstConnectLimit,
      Optional<ActorRef<TunnelEvent>> listener) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      BackedPipe pipe = BackedPipe.of(context.spawn(pipeBehavior, "pipe"), context.getSystem());
      TunnelStream stream = new TunnelStream(context, timers, id,
          "stream " + shortId(id) + " from " + HumanText.address(local.remoteAddress()), pipe, true,
          listener, Optional.of(HumanText.address(server)), firstConnectLimit);
      stream.subscribe(false);
      pipe.connect(); // the reconnect policy retries by itself; events say how it goes
      if (!firstConnectLimit.isZero()) {
        timers.startSingleTimer(FIRST_CONNECT_TIMER, new FirstConnectOver(firstConnectLimit),
            firstConnectLimit);
      }
      CompletionStage<Done> written = local.handleWith(
          Flow.fromSinkAndSourceMat(pipe.sink(), pipe.source(), Keep.left())
              .via(stream.localSwitch.flow()),
          Materializer.matFromSystem(context.getSystem()));
      context.pipeToSelf(Completions.direct(written),
          (done, error) -> new TcpEnded(Optional.ofNullable(error)));
      context.getLog().info("{}: opened", stream.label);
      return stream.running();
    }));
  }

  /**
   * The {@code serve} side: opens one connection to the target and relays it through a pipe the
   * server created.
   *
   * @param id the stream's id
   * @param pipe the server's pipe for the stream
   * @param target where the bytes go
   * @param transport the socket options and connect timeout of the target connection
   * @param listener told of every event of the pipe, if present
   * @return the behaviour
   */
  public static Behavior<Command> serving(UUID id, BackedPipe pipe, InetSocketAddress target,
      TransportSettings transport, Optional<ActorRef<TunnelEvent>> listener) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      TunnelStream stream = new TunnelStream(context, timers, id,
          "stream " + shortId(id) + " to " + HumanText.address(target), pipe, false, listener,
          Optional.empty(), Duration.ZERO);
      stream.subscribe(true);
      Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> tcp =
          Tcp.get(context.getSystem()).outgoingConnection(target, Optional.empty(),
              transport.socketOptions(), true, Optional.of(transport.connectTimeout()),
              Optional.empty());
      Pair<CompletionStage<Tcp.OutgoingConnection>, CompletionStage<Done>> run = pipe.source()
          .viaMat(tcp, Keep.right())
          .toMat(pipe.sink(), Keep.both())
          .run(Materializer.matFromSystem(context.getSystem()));
      CompletionStage<Command> ended = Completions.direct(run.first())
          .handle((connection, error) -> error)
          .thenCompose(error -> error != null
              ? CompletableFuture.completedFuture(new TargetUnreachable(error))
              : Completions.direct(run.second())
                  .handle((done, failure) -> new TcpEnded(Optional.ofNullable(failure))));
      context.pipeToSelf(ended, (command, error) -> command != null ? command
          : new TcpEnded(Optional.of(error)));
      context.getLog().info("{}: opened", stream.label);
      return stream.running();
    }));
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
        .onMessage(Event.class, m -> onEvent(m.event()))
        .onMessage(StatusSeen.class, m -> onStatus(m.status()))
        .onMessage(TcpEnded.class, this::onTcpEnded)
        .onMessage(TargetUnreachable.class, m -> closeWith(TunnelCloseCode.TARGET_UNREACHABLE,
            "target unreachable: " + FailureText.essence(m.error())))
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

  private Behavior<Command> onShutdown(Shutdown m) {
    if (shutdown != null) {
      return Behaviors.same(); // the first one is under way
    }
    shutdown = m;
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
    if (owning) {
      localSwitch.abort(new java.io.IOException("backed-pipe: the tunnel is shutting down"));
    }
    shutdown.replyTo().tell(new ShutdownDone(context.getSelf(), m.drained()));
    return owning ? Behaviors.same() : Behaviors.stopped();
  }

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

  private Behavior<Command> onTcpEnded(TcpEnded ended) {
    if (closed || shutdown != null) {
      return Behaviors.same(); // the connection failed because the pipe closed: nothing to add
    }
    if (ended.error().isEmpty()) {
      context.getLog().debug("{}: {} sent EOF", label, owning ? "local side" : "target");
      return Behaviors.same();
    }
    String why = FailureText.essence(ended.error().get());
    return owning
        ? closeWith(TunnelCloseCode.LOCAL_FAILED, "local connection failed: " + why)
        : closeWith(TunnelCloseCode.TARGET_FAILED, "target connection failed: " + why);
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
      logEnd("{}: closing: {}", label, pendingClose.reason());
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
      context.getLog().info("{}: resumed on connection {}{}, replayed {} bytes (peer had read {})",
          label, c.generation(), after, c.replayedBytes(), c.peerReadPosition());
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
      // the local application must not wait for a pipe that will not come back
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

  /**
   * Resets the local connection (a plain close would read as a clean end of the stream) and
   * closes the pipe.
   */
  private Behavior<Command> giveUp(String why) {
    context.getLog().warn("{}: giving up: {}; resetting the local connection", label, why);
    closedByUs = true;
    localSwitch.abort(new java.io.IOException("backed-pipe gave up: " + why));
    pipe.close();
    return Behaviors.same();
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
    timers.cancel(CLOSE_WAIT_TIMER);
    timers.cancel(SUMMARY_TIMER);
    if (closedByUs && c.cause() == DisconnectCause.CLOSED_BY_USER) {
      context.getLog().debug("{}: closed", label); // its reason was told when it closed
    } else if (owning && c.cause() == DisconnectCause.REFUSED) {
      // the bytes in flight can go nowhere: a reset, not a clean end, tells the application
      context.getLog().warn("{}: {}; resetting the local connection", label,
          TunnelWords.streamLost(c.error())
              ? "lost: the server no longer knows it (restarted, the cluster node hosting it left,"
                  + " or the grace period passed)"
              : TunnelWords.closed(c.cause(), c.error(), true));
      localSwitch.abort(new java.io.IOException("backed-pipe: the server refused the stream"));
    } else if (c.cause() == DisconnectCause.COMPLETED) {
      context.getLog().info("{}: {}", label, TunnelWords.closed(c.cause(), c.error(), owning));
    } else {
      logEnd("{}: {}", label, TunnelWords.closed(c.cause(), c.error(), owning));
    }
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
