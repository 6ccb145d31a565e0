package io.backedpipe.tunnel;

import java.time.Duration;
import java.util.HashSet;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The streams of one tunnel: the parent of every {@link TunnelStream}, so that a shutdown reaches
 * them all. On {@link Shutdown} it tells each to drain and close with a {@code CLOSE}, says so in
 * one line ({@code shutting down: closing 3 streams}) and, once all are closed or the time is up,
 * says how it went ({@code shut down: 3 streams closed, every byte acknowledged}).
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
   * Start a stream.
   *
   * @param stream its behaviour
   * @param name its actor's name
   */
  record Spawn(Behavior<TunnelStream.Command> stream, String name) implements Command {}

  /**
   * Drain and close every stream, then answer how many closed.
   *
   * @param drain how long each may wait for its peer's acknowledgements
   * @param reason the CLOSE's reason, for the other end's log
   * @param replyTo who is told
   */
  record Shutdown(Duration drain, String reason, ActorRef<Integer> replyTo) implements Command {}

  /** A stream answered its shutdown. */
  private record StreamDone(TunnelStream.ShutdownDone done) implements Command {}

  /** A stream stopped. */
  private record StreamStopped(ActorRef<TunnelStream.Command> stream) implements Command {}

  /** The shutdown had its time. */
  private enum ShutdownOver implements Command {
    INSTANCE
  }

  /** The figures of a shutdown under way; the streams it waits for are those still in live. */
  private record Closing(Shutdown request, int closed, int undrained) {}

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final ActorRef<TunnelStream.ShutdownDone> doneAdapter;
  /**
   * The streams running (while shutting down: those not closed yet), changed in place: a tunnel
   * may hold thousands, and copying an immutable set on every spawn and stop made opening a stream
   * cost time in proportion to the streams open.
   */
  private final Set<ActorRef<TunnelStream.Command>> live = new HashSet<>();

  private TunnelStreams(ActorContext<Command> context, TimerScheduler<Command> timers) {
    this.context = context;
    this.timers = timers;
    this.doneAdapter = context.messageAdapter(TunnelStream.ShutdownDone.class, StreamDone::new);
  }

  /**
   * Creates the parent of a tunnel's streams.
   *
   * @return the behaviour
   */
  static Behavior<Command> create() {
    return Behaviors.setup(context -> Behaviors.withTimers(
        timers -> new TunnelStreams(context, timers).running()));
  }

  private Behavior<Command> running() {
    return Behaviors.receive(Command.class)
        .onMessage(Spawn.class, m -> {
          live.add(spawn(m));
          return Behaviors.same();
        })
        .onMessage(StreamStopped.class, m -> {
          live.remove(m.stream());
          return Behaviors.same();
        })
        .onMessage(Shutdown.class, m -> startShutdown(m))
        .onMessage(StreamDone.class, m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> shuttingDown(Closing closing) {
    return Behaviors.receive(Command.class)
        .onMessage(Spawn.class, m -> onLateSpawn(closing, m))
        .onMessage(StreamDone.class, m -> onStreamDone(closing, m.done().stream(),
            m.done().drained()))
        .onMessage(StreamStopped.class, m -> onStreamDone(closing, m.stream(), true))
        .onMessage(Shutdown.class, m -> Behaviors.same())
        .onMessageEquals(ShutdownOver.INSTANCE, () -> finish(closing))
        .build();
  }

  private ActorRef<TunnelStream.Command> spawn(Spawn m) {
    ActorRef<TunnelStream.Command> stream = context.spawn(m.stream(), m.name());
    context.watchWith(stream, new StreamStopped(stream));
    return stream;
  }

  private Behavior<Command> startShutdown(Shutdown m) {
    if (live.isEmpty()) {
      context.getLog().info("shutting down: no stream open");
      m.replyTo().tell(0);
      return shutDown(m);
    }
    context.getLog().info("shutting down: closing {}", streams(live.size()));
    live.forEach(s -> s.tell(new TunnelStream.Shutdown(m.drain(), m.reason(), doneAdapter)));
    timers.startSingleTimer(SHUTDOWN_TIMER, ShutdownOver.INSTANCE, m.drain().plus(CLOSE_TIME));
    return shuttingDown(new Closing(m, 0, 0));
  }

  /** A stream that came in while shutting down (a client resuming) is closed too. */
  private Behavior<Command> onLateSpawn(Closing closing, Spawn m) {
    ActorRef<TunnelStream.Command> stream = spawn(m);
    stream.tell(new TunnelStream.Shutdown(closing.request().drain(), closing.request().reason(),
        doneAdapter));
    live.add(stream);
    return Behaviors.same();
  }

  private Behavior<Command> onStreamDone(Closing closing, ActorRef<TunnelStream.Command> stream,
      boolean drained) {
    if (!live.remove(stream)) {
      return Behaviors.same(); // answered, then stopped: counted once
    }
    Closing next = new Closing(closing.request(), closing.closed() + 1,
        closing.undrained() + (drained ? 0 : 1));
    return live.isEmpty() ? finish(next) : shuttingDown(next);
  }

  private Behavior<Command> finish(Closing closing) {
    timers.cancel(SHUTDOWN_TIMER);
    StringBuilder how = new StringBuilder(streams(closing.closed())).append(" closed");
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
        .onMessage(Shutdown.class, m -> answerNoneOpen(m))
        .onAnyMessage(m -> Behaviors.same())
        .build();
  }

  private Behavior<Command> closeAtOnce(Shutdown request, Spawn m) {
    spawn(m).tell(new TunnelStream.Shutdown(Duration.ZERO, request.reason(), doneAdapter));
    return Behaviors.same();
  }

  private static Behavior<Command> answerNoneOpen(Shutdown m) {
    m.replyTo().tell(0);
    return Behaviors.same();
  }

  private static String streams(int n) {
    return n == 1 ? "1 stream" : n + " streams";
  }
}
