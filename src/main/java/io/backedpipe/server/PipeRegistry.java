package io.backedpipe.server;

import io.backedpipe.BackedPipe;
import io.backedpipe.Completions;
import io.backedpipe.Connection;
import io.backedpipe.PipeCommand;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.ResumePoint;
import io.backedpipe.transport.SharedSecret;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HandshakeStatus;
import io.backedpipe.wire.HumanText;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.HashMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.util.ByteString;

/**
 * Routes every handshake a {@link PipeServer} receives to the pipe of its stream id: creates the
 * pipe on first contact when the client asks and the limits allow, hands an existing pipe the new
 * connection (a newer one replaces an older one), or answers why not. Closes and forgets a pipe
 * whose client has been gone for the grace period, or that closed.
 *
 * <p>Owns the map of hosted pipes; the pipes are its children, so stopping the registry stops them.
 */
public final class PipeRegistry extends AbstractBehavior<PipeRegistry.Command> {
  /** The most ids of cleanly ended streams remembered at once. */
  static final int MAX_COMPLETED = 100_000;
  /** The least time between two warnings about failed proofs. */
  static final Duration AUTH_LOG_EVERY = Duration.ofSeconds(10);

  /** The registry's protocol. */
  public sealed interface Command {}

  /**
   * A client finished its HELLO: attach {@code connection} to its pipe and answer through
   * {@code welcome}.
   *
   * @param nonce the nonce of this connection's CHALLENGE, which the HELLO's proof covers
   * @param hello the client's HELLO
   * @param connection the connection, started and waiting for the pipe
   * @param welcome completed with the answer to send
   * @param remote the client's address (its stream creations are rate-limited per address)
   */
  record Route(ByteString nonce, Frame.Hello hello, Connection connection,
      CompletableFuture<Frame.Welcome> welcome, InetSocketAddress remote) implements Command {}

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

  /**
   * The pipe refused an {@code Accept} ({@code reply} an error), or did not answer in time
   * ({@code error}); an accepted one is answered without the registry.
   */
  private record Accepted(UUID id, CompletableFuture<Frame.Welcome> welcome,
      StatusReply<ResumePoint> reply, Throwable error) implements Command {}

  /** An event of the pipe {@code pipe} hosted for {@code id} (an older pipe of that id: stale). */
  private record Lifecycle(UUID id, ActorRef<PipeCommand> pipe, PipeEvent event)
      implements Command {}

  /** A pipe actor stopped. */
  private record PipeStopped(ActorRef<PipeCommand> pipe) implements Command {}

  /** A forgotten pipe has had time to flush its last frames: stop its actor. */
  private record StopPipe(ActorRef<PipeCommand> pipe) implements Command {}

  /** How long a closed pipe lingers before its actor (and so its connection) is stopped. */
  private static final Duration LINGER = Duration.ofSeconds(2);

  /** Shutting down took too long: stop anyway. */
  private enum ShutdownTimedOut implements Command {
    INSTANCE
  }

  private static final Object SHUTDOWN_TIMER = "shutdown";
  private static final Duration SHUTDOWN_TIMEOUT = Duration.ofSeconds(5);

  private record Reap(UUID id) implements Command {}

  private final TimerScheduler<Command> timers;
  private final ServerSettings settings;
  private final PipeSettings pipeSettings;
  private final BiConsumer<UUID, BackedPipe> onNewPipe;
  private final Duration acceptTimeout;
  private final Optional<SharedSecret> secret;
  /** HELLOs with no proof (a client without a secret): one line per interval. */
  private final RateLimitedLog missingProofs = new RateLimitedLog(AUTH_LOG_EVERY);
  /** HELLOs with a wrong proof (another secret, or a forger): one line per interval. */
  private final RateLimitedLog wrongProofs = new RateLimitedLog(AUTH_LOG_EVERY);
  /** Other refusals a client can repeat at will (limits, unknown streams): one line per interval. */
  private final RateLimitedLog refusals = new RateLimitedLog(AUTH_LOG_EVERY);
  private final Materializer materializer;
  private final Map<UUID, ActorRef<PipeCommand>> pipes = new HashMap<>();
  /** Makes every child name unique: a stopping pipe keeps its name until it has stopped. */
  private long spawned;
  /** Pipe actors not yet stopped, hosted or lingering after they were forgotten. */
  private final Set<ActorRef<PipeCommand>> running = new HashSet<>();
  private boolean shuttingDown;
  /** Ids of streams that ended cleanly, in the order they ended, to when they are forgotten. */
  private final Map<UUID, Long> completed = new java.util.LinkedHashMap<>();
  private final CreationRateLimiter creations;

  private PipeRegistry(ActorContext<Command> context, TimerScheduler<Command> timers,
      ServerSettings settings, PipeSettings pipeSettings, Duration acceptTimeout,
      Optional<SharedSecret> secret, BiConsumer<UUID, BackedPipe> onNewPipe) {
    super(context);
    this.acceptTimeout = acceptTimeout;
    this.secret = secret;
    this.timers = timers;
    this.settings = settings;
    this.pipeSettings = pipeSettings;
    this.onNewPipe = onNewPipe;
    this.materializer = Materializer.createMaterializer(context);
    this.creations = new CreationRateLimiter(settings.createRatePerAddress(),
        settings.createBurstPerAddress());
  }

  /**
   * Creates a registry.
   *
   * @param settings the server's limits
   * @param pipeSettings the settings of every pipe it creates
   * @param acceptTimeout how long a pipe may take to take a connection (the handshake timeout:
   *     the client gives up then anyway)
   * @param secret when present, every HELLO must prove it ({@code NOT_AUTHORIZED} otherwise)
   * @param onNewPipe told of every pipe created (for example to start relaying its bytes)
   * @return the behaviour
   */
  public static Behavior<Command> create(ServerSettings settings, PipeSettings pipeSettings,
      Duration acceptTimeout, Optional<SharedSecret> secret,
      BiConsumer<UUID, BackedPipe> onNewPipe) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers ->
        new PipeRegistry(context, timers, settings, pipeSettings, acceptTimeout, secret,
            onNewPipe)));
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Route.class, this::onRoute)
        .onMessage(Accepted.class, this::onAccepted)
        .onMessage(Lifecycle.class, this::onLifecycle)
        .onMessage(PipeStopped.class, this::onPipeStopped)
        .onMessage(StopPipe.class, this::onStopPipe)
        .onMessage(Reap.class, this::onReap)
        .onMessage(CountPipes.class, this::onCountPipes)
        .onMessageEquals(Shutdown.INSTANCE, this::onShutdown)
        .onMessageEquals(ShutdownTimedOut.INSTANCE, Behaviors::stopped)
        .build();
  }

  private Behavior<Command> onRoute(Route route) {
    Frame.Hello hello = route.hello();
    if (shuttingDown) {
      return refuse(route, HandshakeStatus.LIMIT_REACHED, "server shutting down");
    }
    if (hello.version() != TcpReconnector.VERSION) {
      return refuse(route, HandshakeStatus.VERSION_UNSUPPORTED,
          "supported=" + TcpReconnector.VERSION);
    }
    if (secret.isPresent() && !secret.get().verifies(route.nonce(), hello)) {
      // Before anything about the stream: an unproven HELLO learns nothing and touches nothing.
      return refuseUnauthorized(route);
    }
    ActorRef<PipeCommand> pipe = pipes.get(hello.streamId());
    if (pipe == null && recentlyCompleted(hello.streamId())) {
      return refuse(route, HandshakeStatus.COMPLETED, "streamId=" + hello.streamId());
    }
    if (pipe == null) {
      if (!hello.create() || !settings.createOnFirstContact()) {
        return refuse(route, HandshakeStatus.UNKNOWN_STREAM, "streamId=" + hello.streamId());
      }
      // What a pipe can really hold: its replay window and, as much again, its read buffer.
      long held = (pipes.size() + 1L)
          * ((long) pipeSettings.windowBytes() + pipeSettings.readBufferBytes());
      if (pipes.size() >= settings.maxPipes() || held > settings.maxTotalBufferBytes()) {
        return refuse(route, HandshakeStatus.LIMIT_REACHED,
            "pipes=" + pipes.size() + " maxPipes=" + settings.maxPipes() + " bufferBytes=" + held
                + " maxTotalBufferBytes=" + settings.maxTotalBufferBytes());
      }
      if (!creations.tryCreate(route.remote().getAddress(), System.nanoTime())) {
        // Debug only: a client over its rate must not be able to write the log at will.
        getContext().getLog().debug("refused HELLO for stream [{}] from [{}]: creation rate",
            hello.streamId(), HumanText.ip(route.remote().getAddress()));
        return answer(route, HandshakeStatus.LIMIT_REACHED, "createRatePerAddress="
            + settings.createRatePerAddress() + " burst=" + settings.createBurstPerAddress());
      }
      pipe = spawn(hello.streamId());
    }
    UUID id = hello.streamId();
    CompletableFuture<Frame.Welcome> welcome = route.welcome();
    Duration grace = settings.grace();
    ActorRef<Command> self = getContext().getSelf();
    Completions.direct(AskPattern.<PipeCommand, StatusReply<ResumePoint>>ask(pipe,
            replyTo -> new PipeCommand.Accept(route.connection(), replyTo), acceptTimeout,
            getContext().getSystem().scheduler()))
        .whenComplete((reply, error) -> {
          if (reply != null && reply.isSuccess()) {
            // On the pipe's thread, as it answers: an OK needs nothing of the registry's state,
            // and a hop through its mailbox was one more wait before every WELCOME (issue 13).
            welcome.complete(AcceptAnswers.accepted(reply.getValue(), grace));
          } else {
            self.tell(new Accepted(id, welcome, reply, error));
          }
        });
    return this;
  }

  private ActorRef<PipeCommand> spawn(UUID id) {
    ActorRef<PipeCommand> pipe = getContext().spawn(
        BackedPipe.createAccepting(pipeSettings), "pipe-" + id + "-" + (++spawned));
    running.add(pipe);
    getContext().watchWith(pipe, new PipeStopped(pipe));
    // The pipe wraps its events itself: no forwarding actor per pipe (about 1 KiB of heap each).
    pipe.tell(new PipeCommand.SubscribeAdapted<>(getContext().getSelf(),
        event -> new Lifecycle(id, pipe, event)));
    pipes.put(id, pipe);
    // Reaped like a pipe whose client left, unless its first connection is attached in time.
    timers.startSingleTimer(id, new Reap(id), settings.grace());
    getContext().getLog().info("created pipe [{}] ({} hosted)", id, pipes.size());
    try {
      onNewPipe.accept(id, BackedPipe.of(pipe, getContext().getSystem()));
    } catch (RuntimeException e) {
      // The application's callback must not take the registry, and every other pipe, down.
      getContext().getLog().error("onNewPipe failed for pipe [{}]; the pipe stays", id, e);
    }
    return pipe;
  }

  private Behavior<Command> onAccepted(Accepted accepted) {
    Throwable error = accepted.error() != null ? accepted.error() : accepted.reply().getError();
    refusals.admit(System.nanoTime()).ifPresent(held -> getContext().getLog().info(
        "refused connection for pipe [{}]: [{}] ({} more refusals since the last line)",
        accepted.id(), error.getMessage(), held));
    accepted.welcome().complete(
        AcceptAnswers.refused(error, settings.grace(), pipeSettings.linkLimits()));
    return this;
  }

  /**
   * Refuses a HELLO without the right proof. A client guessing or replaying would flood the log,
   * so failures are counted and reported at most once per {@link #AUTH_LOG_EVERY}. The log and the
   * detail tell a missing proof (a client without a secret) from a wrong one (another secret, or
   * a forger): the client knows which it sent, so the detail tells it nothing new.
   */
  private Behavior<Command> refuseUnauthorized(Route route) {
    boolean missing = route.hello().proof().isEmpty();
    (missing ? missingProofs : wrongProofs).admit(System.nanoTime()).ifPresent(held ->
        getContext().getLog().info("refused HELLO for stream [{}]: {} ({} more since the last"
            + " line)", route.hello().streamId(), missing
            ? "no proof of the shared secret (the client has no secret)"
            : "a wrong proof of the shared secret (another secret, or a forger)", held));
    return answer(route, HandshakeStatus.NOT_AUTHORIZED, AcceptAnswers.unproven(route.hello()));
  }

  private Behavior<Command> refuse(Route route, HandshakeStatus status, String detail) {
    refusals.admit(System.nanoTime()).ifPresent(held -> getContext().getLog().info(
        "refused HELLO for stream [{}]: [{}] [{}] ({} more refusals since the last line)",
        route.hello().streamId(), status, detail, held));
    return answer(route, status, detail);
  }

  /** Answers a refused HELLO and lets its connection go. */
  private Behavior<Command> answer(Route route, HandshakeStatus status, String detail) {
    route.connection().discard(materializer);
    route.welcome().complete(new Frame.Welcome(status, -1, 0, settings.grace().toMillis(),
        pipeSettings.linkLimits(), detail));
    return this;
  }

  private Behavior<Command> onLifecycle(Lifecycle lifecycle) {
    PipeEvent event = lifecycle.event();
    if (pipes.get(lifecycle.id()) != lifecycle.pipe()) {
      return this; // an event of an earlier pipe of the same id
    }
    if (event instanceof PipeEvent.Disconnected) {
      timers.startSingleTimer(lifecycle.id(), new Reap(lifecycle.id()), settings.grace());
    } else if (event instanceof PipeEvent.Connected) {
      timers.cancel(lifecycle.id());
    } else if (event instanceof PipeEvent.Closed closed) {
      forget(lifecycle.id(), "closed");
      if (closed.cause() == io.backedpipe.DisconnectCause.COMPLETED) {
        remember(lifecycle.id());
      }
      if (shuttingDown && pipes.isEmpty()) {
        return Behaviors.stopped();
      }
    }
    return this;
  }

  /**
   * Keeps the id of a stream that ended cleanly for the grace period, so a client whose last
   * connection died before it saw the end learns the stream is complete (status COMPLETED)
   * instead of unknown. At most {@link #MAX_COMPLETED} ids; the oldest go first.
   */
  private void remember(UUID id) {
    completed.put(id, System.nanoTime() + settings.grace().toNanos());
    if (completed.size() > MAX_COMPLETED) {
      completed.remove(completed.keySet().iterator().next());
    }
  }

  private boolean recentlyCompleted(UUID id) {
    long now = System.nanoTime();
    // In the order they ended, so in the order they expire: drop from the head until a live one.
    java.util.Iterator<Long> oldest = completed.values().iterator();
    while (oldest.hasNext() && oldest.next() - now <= 0) {
      oldest.remove();
    }
    return completed.containsKey(id);
  }

  private Behavior<Command> onPipeStopped(PipeStopped stopped) {
    running.remove(stopped.pipe());
    // A pipe that stopped without closing (it failed) must not hold its id and its share forever.
    pipes.entrySet().stream().filter(e -> e.getValue().equals(stopped.pipe())).map(Map.Entry::getKey)
        .findFirst().ifPresent(id -> forget(id, "its actor stopped"));
    if (shuttingDown && pipes.isEmpty()) {
      return Behaviors.stopped();
    }
    return this;
  }

  private Behavior<Command> onStopPipe(StopPipe stop) {
    if (running.contains(stop.pipe())) { // not stopped by itself meanwhile
      getContext().stop(stop.pipe());
    }
    return this;
  }

  private Behavior<Command> onReap(Reap reap) {
    ActorRef<PipeCommand> pipe = pipes.get(reap.id());
    if (pipe != null) {
      getContext().getLog().info("closing pipe [{}]: its client was gone for {}", reap.id(),
          HumanText.duration(settings.grace()));
      // Forgotten on its Closed event, so that its application sees a close, not a stop.
      pipe.tell(new PipeCommand.Expire("no connection for the grace period "
          + HumanText.duration(settings.grace()), getContext().getSystem().ignoreRef()));
    }
    return this;
  }

  private void forget(UUID id, String reason) {
    ActorRef<PipeCommand> pipe = pipes.remove(id);
    if (pipe != null) {
      timers.cancel(id);
      if (running.contains(pipe)) { // still running
        // Not at once: a pipe that just closed cleanly may still be flushing its last CLOSE.
        timers.startSingleTimer(pipe, new StopPipe(pipe), LINGER);
      }
      getContext().getLog().info("forgot pipe [{}]: [{}] ({} hosted)", id, reason, pipes.size());
    }
  }

  private Behavior<Command> onShutdown() {
    if (pipes.isEmpty()) {
      // a server that never started (its port was taken) or is idle has nothing to say
      getContext().getLog().debug("shutting down: no pipes");
      return Behaviors.stopped();
    }
    getContext().getLog().info("shutting down: closing [{}] pipes", pipes.size());
    shuttingDown = true;
    pipes.values().forEach(p -> p.tell(new PipeCommand.Expire("the server is stopping",
        getContext().getSystem().ignoreRef())));
    // Stops once every pipe reported Closed; stopping then stops the pipes, its children.
    timers.startSingleTimer(SHUTDOWN_TIMER, ShutdownTimedOut.INSTANCE, SHUTDOWN_TIMEOUT);
    return this;
  }

  private Behavior<Command> onCountPipes(CountPipes count) {
    count.replyTo().tell(pipes.size());
    return this;
  }

}
