package io.backedpipe.server;

import io.backedpipe.BackedPipe;
import io.backedpipe.Connection;
import io.backedpipe.FuturePositionException;
import io.backedpipe.HistoryMismatchException;
import io.backedpipe.PipeClosedException;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.ReplayUnavailableException;
import io.backedpipe.ResumePoint;
import io.backedpipe.pipe.PipeSupervisor;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HandshakeStatus;
import java.util.HashMap;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * Routes every handshake a {@link PipeServer} receives to the pipe of its stream id: creates the
 * pipe on first contact when the client asks and the limits allow, hands an existing pipe the new
 * connection (a newer one replaces an older one), or answers why not. Closes and forgets a pipe
 * whose client has been gone for the grace period, or that closed.
 *
 * <p>Owns the map of hosted pipes; the pipes are its children, so stopping the registry stops them.
 */
public final class PipeRegistry extends AbstractBehavior<PipeRegistry.Command> {

  /** The registry's protocol. */
  public sealed interface Command {}

  /**
   * A client finished its HELLO: attach {@code connection} to its pipe and answer through
   * {@code welcome}.
   *
   * @param hello the client's HELLO
   * @param connection the connection, started and waiting for the pipe
   * @param welcome completed with the answer to send
   */
  record Route(Frame.Hello hello, Connection connection, CompletableFuture<Frame.Welcome> welcome)
      implements Command {}

  /**
   * Answer how many pipes are hosted.
   *
   * @param replyTo who is told
   */
  public record CountPipes(ActorRef<Integer> replyTo) implements Command {}

  /** Close and forget every pipe, and stop. */
  public enum Shutdown implements Command {
    /** The only instance. */
    INSTANCE
  }

  private record Accepted(UUID id, CompletableFuture<Frame.Welcome> welcome,
      StatusReply<ResumePoint> reply, Throwable error) implements Command {}

  private record Lifecycle(UUID id, PipeEvent event) implements Command {}

  private record Reap(UUID id) implements Command {}

  private final TimerScheduler<Command> timers;
  private final ServerSettings settings;
  private final PipeSettings pipeSettings;
  private final BiConsumer<UUID, BackedPipe> onNewPipe;
  private final Materializer materializer;
  private final Map<UUID, ActorRef<PipeSupervisor.Command>> pipes = new HashMap<>();

  private PipeRegistry(ActorContext<Command> context, TimerScheduler<Command> timers,
      ServerSettings settings, PipeSettings pipeSettings, BiConsumer<UUID, BackedPipe> onNewPipe) {
    super(context);
    this.timers = timers;
    this.settings = settings;
    this.pipeSettings = pipeSettings;
    this.onNewPipe = onNewPipe;
    this.materializer = Materializer.createMaterializer(context);
  }

  /**
   * Creates a registry.
   *
   * @param settings the server's limits
   * @param pipeSettings the settings of every pipe it creates
   * @param onNewPipe told of every pipe created (for example to start relaying its bytes)
   * @return the behaviour
   */
  public static Behavior<Command> create(ServerSettings settings, PipeSettings pipeSettings,
      BiConsumer<UUID, BackedPipe> onNewPipe) {
    return Behaviors.setup(context -> Behaviors.withTimers(
        timers -> new PipeRegistry(context, timers, settings, pipeSettings, onNewPipe)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Route.class, this::onRoute)
        .onMessage(Accepted.class, this::onAccepted)
        .onMessage(Lifecycle.class, this::onLifecycle)
        .onMessage(Reap.class, this::onReap)
        .onMessage(CountPipes.class, this::onCountPipes)
        .onMessageEquals(Shutdown.INSTANCE, this::onShutdown)
        .build();
  }

  private Behavior<Command> onRoute(Route route) {
    Frame.Hello hello = route.hello();
    if (hello.version() != 1) {
      return refuse(route, HandshakeStatus.VERSION_UNSUPPORTED, "supported=1");
    }
    ActorRef<PipeSupervisor.Command> pipe = pipes.get(hello.streamId());
    if (pipe == null) {
      if (!hello.create() || !settings.createOnFirstContact()) {
        return refuse(route, HandshakeStatus.UNKNOWN_STREAM, "streamId=" + hello.streamId());
      }
      long windows = (pipes.size() + 1L) * pipeSettings.windowBytes();
      if (pipes.size() >= settings.maxPipes() || windows > settings.maxTotalWindowBytes()) {
        return refuse(route, HandshakeStatus.LIMIT_REACHED,
            "pipes=" + pipes.size() + " maxPipes=" + settings.maxPipes());
      }
      pipe = spawn(hello.streamId());
    }
    UUID id = hello.streamId();
    getContext().ask(StatusReply.class, pipe, settings.grace(),
        (ActorRef<StatusReply> replyTo) -> new PipeSupervisor.Accept(route.connection(),
            replyTo.unsafeUpcast()),
        (reply, error) -> new Accepted(id, route.welcome(), castReply(reply), error));
    return this;
  }

  @SuppressWarnings("unchecked")
  private static StatusReply<ResumePoint> castReply(StatusReply<?> reply) {
    return (StatusReply<ResumePoint>) reply;
  }

  private ActorRef<PipeSupervisor.Command> spawn(UUID id) {
    ActorRef<PipeSupervisor.Command> pipe =
        getContext().spawn(BackedPipe.createAccepting(pipeSettings), "pipe-" + id);
    ActorRef<PipeEvent> events =
        getContext().messageAdapter(PipeEvent.class, event -> new Lifecycle(id, event));
    pipe.tell(new PipeSupervisor.Subscribe(events));
    pipes.put(id, pipe);
    // Reaped like a pipe whose client left, unless its first connection is attached in time.
    timers.startSingleTimer(id, new Reap(id), settings.grace());
    getContext().getLog().info("created pipe [{}] ({} hosted)", id, pipes.size());
    onNewPipe.accept(id, BackedPipe.of(pipe, getContext().getSystem()));
    return pipe;
  }

  private Behavior<Command> onAccepted(Accepted accepted) {
    if (accepted.reply() != null && accepted.reply().isSuccess()) {
      ResumePoint local = accepted.reply().getValue();
      accepted.welcome().complete(new Frame.Welcome(HandshakeStatus.OK, local.position(),
          local.historyCheck(), settings.grace().toMillis(), ""));
      return this;
    }
    Throwable error = accepted.error() != null ? accepted.error() : accepted.reply().getError();
    HandshakeStatus status = error instanceof FuturePositionException
        || error instanceof ReplayUnavailableException
        ? HandshakeStatus.BAD_POSITION
        : error instanceof HistoryMismatchException ? HandshakeStatus.HISTORY_MISMATCH
        : error instanceof PipeClosedException ? HandshakeStatus.UNKNOWN_STREAM
        : HandshakeStatus.LIMIT_REACHED;
    getContext().getLog().info("refused connection for pipe [{}]: [{}]", accepted.id(),
        error.getMessage());
    accepted.welcome().complete(new Frame.Welcome(status, -1, 0, settings.grace().toMillis(),
        truncate(error.getMessage())));
    return this;
  }

  private Behavior<Command> refuse(Route route, HandshakeStatus status, String detail) {
    getContext().getLog().info("refused HELLO for stream [{}]: [{}] [{}]",
        route.hello().streamId(), status, detail);
    route.connection().frames().runWith(Source.empty(), Sink.cancelled(), materializer);
    route.welcome().complete(new Frame.Welcome(status, -1, 0, settings.grace().toMillis(),
        detail));
    return this;
  }

  private Behavior<Command> onLifecycle(Lifecycle lifecycle) {
    PipeEvent event = lifecycle.event();
    if (event instanceof PipeEvent.Disconnected) {
      timers.startSingleTimer(lifecycle.id(), new Reap(lifecycle.id()), settings.grace());
    } else if (event instanceof PipeEvent.Connected) {
      timers.cancel(lifecycle.id());
    } else if (event instanceof PipeEvent.Closed) {
      forget(lifecycle.id(), "closed");
    }
    return this;
  }

  private Behavior<Command> onReap(Reap reap) {
    ActorRef<PipeSupervisor.Command> pipe = pipes.get(reap.id());
    if (pipe != null) {
      getContext().getLog().info("closing pipe [{}]: its client was gone for [{}]", reap.id(),
          settings.grace());
      pipe.tell(new PipeSupervisor.Close(getContext().getSystem().ignoreRef()));
      forget(reap.id(), "grace period over");
    }
    return this;
  }

  private void forget(UUID id, String reason) {
    ActorRef<PipeSupervisor.Command> pipe = pipes.remove(id);
    if (pipe != null) {
      timers.cancel(id);
      getContext().stop(pipe);
      getContext().getLog().info("forgot pipe [{}]: [{}] ({} hosted)", id, reason, pipes.size());
    }
  }

  private Behavior<Command> onShutdown() {
    getContext().getLog().info("shutting down: closing [{}] pipes", pipes.size());
    pipes.values().forEach(p -> p.tell(new PipeSupervisor.Close(getContext().getSystem().ignoreRef())));
    return Behaviors.stopped(); // stops the pipes, its children
  }

  private Behavior<Command> onCountPipes(CountPipes count) {
    count.replyTo().tell(pipes.size());
    return this;
  }

  private static String truncate(String text) {
    return text.length() <= 200 ? text : text.substring(0, 200);
  }
}
