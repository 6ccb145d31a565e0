package io.backedpipe.tunnel;

import io.backedpipe.BackedPipe;
import io.backedpipe.Completions;
import io.backedpipe.DisconnectCause;
import io.backedpipe.PeerClosedException;
import io.backedpipe.PipeCommand;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeState;
import io.backedpipe.PipeStatus;
import io.backedpipe.pipe.PipeSupervisor;
import io.backedpipe.transport.TransportSettings;
import io.backedpipe.wire.PeerText;
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

  /** What the stream handles: its pipe's events and its TCP connection's end. */
  public sealed interface Command {}

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

  /** A close to send once the pipe is connected. */
  private record PendingClose(TunnelCloseCode code, String reason) {}

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final UUID id;
  private final String label;
  private final BackedPipe pipe;
  private final boolean owning;
  private final Optional<ActorRef<TunnelEvent>> listener;
  private boolean connected;
  private boolean eventSeen;
  private boolean closed;
  private PendingClose pendingClose;
  /** Resets the local application's connection when the stream gives up (dialing side only). */
  private final SharedKillSwitch localSwitch = KillSwitches.shared("tunnel-local");

  private TunnelStream(ActorContext<Command> context, TimerScheduler<Command> timers, UUID id,
      String label, BackedPipe pipe, boolean owning, Optional<ActorRef<TunnelEvent>> listener) {
    this.context = context;
    this.timers = timers;
    this.id = id;
    this.label = label;
    this.pipe = pipe;
    this.owning = owning;
    this.listener = listener;
  }

  /**
   * The {@code connect} side: spawns a dialing pipe as a child, connects it, and relays the local
   * application's connection through it.
   *
   * @param id the stream's id
   * @param local the local application's connection
   * @param pipeBehavior the dialing pipe
   * @param firstConnectLimit how long the first connection may take before the stream gives up
   *     and closes the local connection ({@code 0s}: no limit); the reconnect policy's give-up
   *     time only counts from a lost connection, and a server that is down or untrusted from the
   *     start must not leave the application waiting for ever
   * @param listener told of every event of the pipe, if present
   * @return the behaviour
   */
  public static Behavior<Command> dialing(UUID id, Tcp.IncomingConnection local,
      Behavior<PipeCommand> pipeBehavior, Duration firstConnectLimit,
      Optional<ActorRef<TunnelEvent>> listener) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      BackedPipe pipe = BackedPipe.of(context.spawn(pipeBehavior, "pipe"), context.getSystem());
      TunnelStream stream = new TunnelStream(context, timers, id,
          "stream " + shortId(id) + " from " + local.remoteAddress(), pipe, true, listener);
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
          "stream " + shortId(id) + " to " + target, pipe, false, listener);
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
            "target unreachable: " + rootMessage(m.error())))
        .onMessageEquals(CloseWaitOver.INSTANCE, this::closeNow)
        .onMessageEquals(LingerOver.INSTANCE, Behaviors::stopped)
        .onMessage(FirstConnectOver.class, m -> {
          return giveUp("no connection to the server within " + m.limit());
        })
        .build();
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
    if (closed) {
      return Behaviors.same(); // the connection failed because the pipe closed: nothing to add
    }
    if (ended.error().isEmpty()) {
      context.getLog().debug("{}: {} sent EOF", label, owning ? "local side" : "target");
      return Behaviors.same();
    }
    String why = rootMessage(ended.error().get());
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
      pipe.close(pendingClose.code().code(), pendingClose.reason());
    }
    return Behaviors.same();
  }

  private Behavior<Command> onEvent(PipeEvent event) {
    eventSeen = true;
    listener.ifPresent(l -> l.tell(new TunnelEvent(id, event)));
    if (event instanceof PipeEvent.Connected c) {
      connected = true;
      timers.cancel(FIRST_CONNECT_TIMER);
      if (c.reconnectCount() == 0) {
        context.getLog().info("{}: connected", label);
      } else {
        context.getLog().info("{}: resumed on connection {}, replayed {} bytes (peer had read {})",
            label, c.generation(), c.replayedBytes(), c.peerReadPosition());
      }
      return pendingClose != null ? closeNow() : Behaviors.same();
    } else if (event instanceof PipeEvent.Disconnected d) {
      connected = false;
      context.getLog().info("{}: link lost ({}{}), reconnecting", label, d.cause(),
          d.error().map(e -> ": " + rootMessage(e)).orElse(""));
    } else if (event instanceof PipeEvent.ReconnectFailed f) {
      if (f.nextAttemptIn().isEmpty() && owning) {
        // Only the dialing end retries; an accepting pipe's attempts never have a next one.
        // the local application must not wait for a pipe that will not come back
        return giveUp(f.error().getMessage());
      } else {
        context.getLog().debug("{}: reconnect attempt {} failed, next in {}: {}", label,
            f.attempt(), f.nextAttemptIn().map(Duration::toString).orElse("none"),
            f.error().getMessage());
      }
    } else if (event instanceof PipeEvent.DataLost lost) {
      context.getLog().error("{}: data lost: {}", label, lost.error().getMessage());
    } else if (event instanceof PipeEvent.Closed c) {
      return onClosed(c);
    }
    return Behaviors.same();
  }

  /**
   * Resets the local connection (a plain close would read as a clean end of the stream) and
   * closes the pipe.
   */
  private Behavior<Command> giveUp(String why) {
    context.getLog().warn("{}: giving up: {}", label, why);
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
    if (c.cause() == DisconnectCause.COMPLETED) {
      context.getLog().info("{}: closed, both directions complete", label);
    } else if (c.error().orElse(null) instanceof PeerClosedException peer) {
      logEnd("{}: closed by the other end: {}", label, PeerText.quote(peer.reason()));
    } else {
      logEnd("{}: closed ({}{})", label, c.cause(),
          c.error().map(e -> ": " + rootMessage(e)).orElse(""));
    }
    if (!owning) {
      return Behaviors.stopped(); // the registry owns the pipe and forgets it by itself
    }
    timers.startSingleTimer(LingerOver.INSTANCE, LINGER);
    return Behaviors.same();
  }

  private static String shortId(UUID id) {
    return id.toString().substring(0, 8);
  }

  /** The innermost message: Pekko's TCP errors wrap the operating system's reason. */
  static String rootMessage(Throwable error) {
    Throwable t = error;
    while (t.getCause() != null && t.getCause() != t) {
      t = t.getCause();
    }
    String message = t.getMessage();
    return message != null ? message : t.getClass().getSimpleName();
  }
}
