package io.backedpipe.tunnel;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import java.util.function.Function;
import org.apache.pekko.stream.javadsl.Tcp;

/**
 * The tunnel connections of one tunnel: the parent of every {@link TunnelSession}, so that a
 * shutdown reaches them all. On the {@code connect} side it keeps one session at a time and gives
 * it every local connection ({@link Accept}); when that session ends (its pipe closed or gave up)
 * the next local connection starts a new one. On the {@code serve} side it holds one session per
 * client ({@link Spawn}).
 *
 * <p>On {@link Shutdown} it tells each session to drain and close with a {@code CLOSE}, says so in
 * one line ({@code shutting down: closing 1 tunnel connection}) and, once all are closed or the
 * time is up, says how it went ({@code shut down: 1 tunnel connection closed, carrying 3 streams,
 * every byte acknowledged}).
 */
final class TunnelStreams {
  /**
   * How long a shutdown waits beyond the drain for the streams' CLOSEs to go out: a pipe keeps the
   * connection of its farewell at most 5 s ({@code PipeSupervisor.FAREWELL_TIMEOUT}).
   */
  static final Duration CLOSE_TIME = Duration.ofSeconds(6);
  private static final Object SHUTDOWN_TIMER = "shutdown";

  /** What the streams' parent handles. */
  sealed interface Command {}

  /**
   * Start a session ({@code serve} side).
   *
   * @param session its behaviour
   * @param name its actor's name
   */
  record Spawn(Behavior<TunnelSession.Command> session, String name) implements Command {}

  /**
   * A local application connected ({@code connect} side): give it to the current session.
   *
   * @param local its connection
   */
  record Accept(Tcp.IncomingConnection local) implements Command {}

  /**
   * A session takes no more streams (its pipe closed, gave up or is shutting down): the next
   * local connection goes to a new one.
   *
   * @param session the session
   */
  record Retired(ActorRef<TunnelSession.Command> session) implements Command {}

  /**
   * Drain and close every stream, then answer how many closed.
   *
   * @param drain how long each may wait for its peer's acknowledgements
   * @param reason the CLOSE's reason, for the other end's log
   * @param replyTo who is told
   */
  record Shutdown(Duration drain, String reason, ActorRef<Integer> replyTo) implements Command {}

  /** A session answered its shutdown. */
  private record StreamDone(TunnelSession.ShutdownDone done) implements Command {}

  /** A session stopped. */
  private record StreamStopped(ActorRef<TunnelSession.Command> stream) implements Command {}

  /** The shutdown had its time. */
  private enum ShutdownOver implements Command {
    INSTANCE
  }

  /**
   * The figures of a shutdown under way; the sessions it waits for are those still in live.
   *
   * @param closed sessions closed
   * @param streams the streams they carried
   * @param undrained sessions whose peer had not acknowledged every byte
   */
  private record Closing(Shutdown request, int closed, int streams, int undrained) {}

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final ActorRef<TunnelSession.ShutdownDone> doneAdapter;
  /**
   * The sessions running (while shutting down: those not closed yet), changed in place: a server
   * may hold thousands, and copying an immutable set on every spawn and stop made opening one
   * cost time in proportion to those open.
   */
  private final Set<ActorRef<TunnelSession.Command>> live = new HashSet<>();
  /** Makes the {@code connect} side's sessions; null on the {@code serve} side. */
  private final Function<ActorRef<Command>, Behavior<TunnelSession.Command>> sessions;
  /** The session local connections go to; null when there is none yet. */
  private ActorRef<TunnelSession.Command> current;

  private TunnelStreams(ActorContext<Command> context, TimerScheduler<Command> timers,
      Function<ActorRef<Command>, Behavior<TunnelSession.Command>> sessions) {
    this.context = context;
    this.timers = timers;
    this.sessions = sessions;
    this.doneAdapter = context.messageAdapter(TunnelSession.ShutdownDone.class, StreamDone::new);
  }

  /**
   * Creates the parent of a {@code serve} side's sessions.
   *
   * @return the behaviour
   */
  static Behavior<Command> create() {
    return Behaviors.setup(context -> Behaviors.withTimers(
        timers -> new TunnelStreams(context, timers, null).running()));
  }

  /**
   * Creates the parent of a {@code connect} side's sessions, and its first session at once, so
   * that the first local connection finds the pipe already connected.
   *
   * @param sessions makes a session, given this actor to tell when it retires
   * @return the behaviour
   */
  static Behavior<Command> connecting(
      Function<ActorRef<Command>, Behavior<TunnelSession.Command>> sessions) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      TunnelStreams streams = new TunnelStreams(context, timers, sessions);
      streams.current = streams.startSession();
      return streams.running();
    }));
  }

  private ActorRef<TunnelSession.Command> startSession() {
    ActorRef<TunnelSession.Command> session = context.spawn(sessions.apply(context.getSelf()),
        "session-" + UUID.randomUUID());
    context.watchWith(session, new StreamStopped(session));
    live.add(session);
    return session;
  }

  private Behavior<Command> onAccept(Accept m) {
    if (current == null) {
      current = startSession();
    }
    current.tell(new TunnelSession.Accept(m.local()));
    return Behaviors.same();
  }

  private Behavior<Command> onRetired(Retired m) {
    if (m.session().equals(current)) {
      current = null;
    }
    return Behaviors.same();
  }

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(Spawn.class, m -> {
          live.add(spawn(m));
          return Behaviors.same();
        })
        .onMessage(Accept.class, this::onAccept)
        .onMessage(Retired.class, this::onRetired)
        .onMessage(StreamStopped.class, m -> {
          live.remove(m.stream());
          if (m.stream().equals(current)) {
            current = null;
          }
          return Behaviors.same();
        })
        .onMessage(Shutdown.class, m -> startShutdown(m))
        .onMessage(StreamDone.class, m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> shuttingDown(Closing closing) {
    return Behaviors.receive(Command.class)
        .onMessage(Spawn.class, m -> onLateSpawn(closing, m))
        .onMessage(Accept.class, m -> refuse(m.local()))
        .onMessage(Retired.class, m -> Behaviors.same())
        .onMessage(StreamDone.class, m -> onStreamDone(closing, m.done().session(),
            m.done().drained(), m.done().streams()))
        .onMessage(StreamStopped.class, m -> onStreamDone(closing, m.stream(), true, 0))
        .onMessage(Shutdown.class, m -> Behaviors.same())
        .onMessageEquals(ShutdownOver.INSTANCE, () -> finish(closing))
        .build();
  }

  /** A local connection that came in while shutting down is reset. */
  private Behavior<Command> refuse(Tcp.IncomingConnection local) {
    TunnelChannel.refuse(local, "the tunnel is shutting down",
        org.apache.pekko.stream.Materializer.matFromSystem(context.getSystem()));
    return Behaviors.same();
  }

  private ActorRef<TunnelSession.Command> spawn(Spawn m) {
    ActorRef<TunnelSession.Command> stream = context.spawn(m.session(), m.name());
    context.watchWith(stream, new StreamStopped(stream));
    return stream;
  }

  private Behavior<Command> startShutdown(Shutdown m) {
    current = null;
    if (live.isEmpty()) {
      context.getLog().info("shutting down: no tunnel connection open");
      m.replyTo().tell(0);
      return shutDown(m);
    }
    context.getLog().info("shutting down: closing {}", connections(live.size()));
    live.forEach(s -> s.tell(new TunnelSession.Shutdown(m.drain(), m.reason(), doneAdapter)));
    timers.startSingleTimer(SHUTDOWN_TIMER, ShutdownOver.INSTANCE, m.drain().plus(CLOSE_TIME));
    return shuttingDown(new Closing(m, 0, 0, 0));
  }

  /** A session that came in while shutting down (a client resuming) is closed too. */
  private Behavior<Command> onLateSpawn(Closing closing, Spawn m) {
    ActorRef<TunnelSession.Command> stream = spawn(m);
    stream.tell(new TunnelSession.Shutdown(closing.request().drain(), closing.request().reason(),
        doneAdapter));
    live.add(stream);
    return Behaviors.same();
  }

  private Behavior<Command> onStreamDone(Closing closing,
      ActorRef<TunnelSession.Command> stream, boolean drained, int streams) {
    if (!live.remove(stream)) {
      return Behaviors.same(); // answered, then stopped: counted once
    }
    Closing next = new Closing(closing.request(), closing.closed() + 1,
        closing.streams() + streams, closing.undrained() + (drained ? 0 : 1));
    return live.isEmpty() ? finish(next) : shuttingDown(next);
  }

  private Behavior<Command> finish(Closing closing) {
    timers.cancel(SHUTDOWN_TIMER);
    StringBuilder how = new StringBuilder(connections(closing.closed()))
        .append(" closed, carrying ").append(streams(closing.streams()));
    if (closing.undrained() > 0) {
      how.append("; ").append(closing.undrained()).append(" still had bytes the other end had not"
          + " acknowledged after ").append(io.backedpipe.wire.HumanText.duration(
              closing.request().drain()));
    } else {
      how.append(", every byte acknowledged");
    }
    if (!live.isEmpty()) {
      how.append("; ").append(live.size()).append(" did not close in time");
    }
    context.getLog().info("shut down: {}", how);
    closing.request().replyTo().tell(closing.closed());
    return shutDown(closing.request());
  }

  /** After the shutdown: a stream that still comes in (a client resuming) is closed at once. */
  private Behavior<Command> shutDown(Shutdown request) {
    return Behaviors.receive(Command.class)
        .onMessage(Spawn.class, m -> closeAtOnce(request, m))
        .onMessage(Accept.class, m -> refuse(m.local()))
        .onMessage(Shutdown.class, m -> answerNoneOpen(m))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> closeAtOnce(Shutdown request, Spawn m) {
    spawn(m).tell(new TunnelSession.Shutdown(Duration.ZERO, request.reason(), doneAdapter));
    return Behaviors.same();
  }

  private static Behavior<Command> answerNoneOpen(Shutdown m) {
    m.replyTo().tell(0);
    return Behaviors.same();
  }

  private static String streams(int n) {
    return n == 1 ? "1 stream" : n + " streams";
  }

  private static String connections(int n) {
    return n == 1 ? "1 tunnel connection" : n + " tunnel connections";
  }
}
