package io.backedpipe;

import io.backedpipe.pipe.PipeStreams;
import io.backedpipe.pipe.PipeSupervisor;
import java.time.Duration;
import java.util.Objects;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A reliable, ordered, bidirectional byte stream that survives the loss of the connection under it.
 *
 * <p>A pipe is an actor. {@link #spawn(ActorContext, String, Reconnector, PipeSettings)} starts a
 * dialing pipe as a child of your actor ({@link #spawn(ActorSystem, String, Reconnector,
 * PipeSettings)} from outside any actor) and returns this handle; write through {@link #sink()},
 * read through {@link #source()}, steer it with {@link #connect()}, {@link #close()} and the
 * rest. The handle wraps the actor's protocol, {@link PipeCommand}, with {@code CompletionStage}s;
 * it holds no state of its own and is safe to share between threads.
 *
 * <pre>{@code
 * BackedPipe pipe = BackedPipe.spawn(context, "pipe", reconnector, PipeSettings.create(system));
 * pipe.connect();                                        // completes once connected
 * Source.single(ByteString.fromString("hello"))
 *     .runWith(pipe.sink(), system)                      // completes once the peer read it all
 *     .thenCompose(done -> pipe.close());
 * pipe.source().runForeach(bytes -> handle(bytes), system);
 * }</pre>
 *
 * <p>By default a dialing pipe reconnects after every recoverable loss with exponential backoff
 * (see {@link ReconnectPolicy}); an accepting pipe ({@link #spawnAccepting}) waits for the peer to
 * come back with {@link #accept}.
 *
 * <p>Which end means what: the Sink's value completes when the peer acknowledged every byte
 * written through it (they reached its application), so "complete the Sink, wait for its value,
 * then close" loses nothing. {@link #close()} is immediate: bytes the peer has not acknowledged
 * yet are dropped. When both sides complete their Sinks and read to the end, the pipe closes by
 * itself as {@link DisconnectCause#COMPLETED}.
 */
public final class BackedPipe {
  private static final Duration DEFAULT_ASK_TIMEOUT = Duration.ofSeconds(30);
  /** Events a slow {@link #events()} consumer may fall behind by before its stream fails. */
  private static final int EVENT_BUFFER = 256;

  private final ActorRef<PipeCommand> ref;
  private final ActorSystem<?> system;
  private final Duration askTimeout;

  private BackedPipe(ActorRef<PipeCommand> ref, ActorSystem<?> system, Duration askTimeout) {
    this.ref = Objects.requireNonNull(ref, "ref");
    this.system = Objects.requireNonNull(system, "system");
    this.askTimeout = Objects.requireNonNull(askTimeout, "askTimeout");
  }

  /**
   * Spawns a dialing pipe as a child of the actor whose context this is. It connects with
   * {@code reconnector} on {@link #connect()} and again after every recoverable loss, as the
   * settings' policy says. Stopping the parent stops the pipe.
   *
   * @param context the parent's context (use it only from inside that actor)
   * @param name the child's name, unique among its siblings
   * @param reconnector dials and handshakes new connections
   * @param settings the pipe's settings
   * @return the pipe
   */
  public static BackedPipe spawn(ActorContext<?> context, String name, Reconnector reconnector,
      PipeSettings settings) {
    return of(context.spawn(create(reconnector, settings), name), context.getSystem());
  }

  /**
   * Spawns a dialing pipe from outside any actor, as a system actor that lives until you stop it
   * ({@code system.systemActorOf}); it stops with the actor system.
   *
   * @param system the actor system
   * @param name a name unique among the system's system actors
   * @param reconnector dials and handshakes new connections
   * @param settings the pipe's settings
   * @return the pipe
   */
  public static BackedPipe spawn(ActorSystem<?> system, String name, Reconnector reconnector,
      PipeSettings settings) {
    return of(system.systemActorOf(create(reconnector, settings), name, Props.empty()), system);
  }

  /**
   * Spawns an accepting pipe (it never dials; see {@link #accept}) as a child of this context's
   * actor.
   *
   * @param context the parent's context
   * @param name the child's name
   * @param settings the pipe's settings
   * @return the pipe
   */
  public static BackedPipe spawnAccepting(ActorContext<?> context, String name,
      PipeSettings settings) {
    return of(context.spawn(createAccepting(settings), name), context.getSystem());
  }

  /**
   * Spawns an accepting pipe from outside any actor, as a system actor.
   *
   * @param system the actor system
   * @param name a name unique among the system's system actors
   * @param settings the pipe's settings
   * @return the pipe
   */
  public static BackedPipe spawnAccepting(ActorSystem<?> system, String name,
      PipeSettings settings) {
    return of(system.systemActorOf(createAccepting(settings), name, Props.empty()), system);
  }

  /**
   * The behaviour of a dialing pipe, for who spawns it another way (a {@code TestKit}, a router,
   * sharding); wrap the reference with {@link #of}.
   *
   * @param reconnector dials and handshakes new connections
   * @param settings the pipe's settings
   * @return the behaviour, to spawn
   */
  public static Behavior<PipeCommand> create(Reconnector reconnector, PipeSettings settings) {
    return PipeSupervisor.create(Optional.of(reconnector), settings, new SplittableRandom(),
        System::nanoTime);
  }

  /**
   * The behaviour of an accepting pipe: it never dials, and takes each new connection handed to it
   * with {@link #accept} (a newer one replaces an older one).
   *
   * @param settings the pipe's settings
   * @return the behaviour, to spawn
   */
  public static Behavior<PipeCommand> createAccepting(PipeSettings settings) {
    return PipeSupervisor.create(Optional.empty(), settings, new SplittableRandom(),
        System::nanoTime);
  }

  /**
   * Wraps a spawned pipe; asks time out after 30 seconds.
   *
   * @param ref the pipe's actor
   * @param system the actor system it runs in
   * @return the handle
   */
  public static BackedPipe of(ActorRef<PipeCommand> ref, ActorSystem<?> system) {
    return new BackedPipe(ref, system, DEFAULT_ASK_TIMEOUT);
  }

  /**
   * A copy whose asks time out after {@code askTimeout}.
   *
   * @param askTimeout the ask timeout
   * @return the new handle
   */
  public BackedPipe withAskTimeout(Duration askTimeout) {
    return new BackedPipe(ref, system, askTimeout);
  }

  /**
   * The pipe's actor.
   *
   * @return the reference
   */
  public ActorRef<PipeCommand> ref() {
    return ref;
  }

  /**
   * A Sink that writes into the pipe, backpressured by the replay window. One Sink writes at a
   * time: another fails with {@link SinkAlreadyOpenException} while one runs (merge producers in
   * front of one Sink, for example with a {@code MergeHub}, to write from several). Completing it
   * ends the pipe's output; the peer's Source completes after the last byte. Its value completes
   * once the peer acknowledged every byte written (its application read them), and fails with a
   * {@link PipeClosedException} if the pipe closes first: then, and only then, bytes may not have
   * arrived. An open Sink fails (and cancels its upstream) when the pipe closes, even when idle.
   *
   * @return the Sink
   */
  public Sink<ByteString, CompletionStage<Done>> sink() {
    return PipeStreams.sink(ref);
  }

  /**
   * A Source of what the peer wrote, in order, each byte exactly once. It completes after the
   * peer's end-of-stream or a {@link #close()}, and fails when the pipe fails or is expired. One
   * Source reads at a time ({@link SourceAlreadyOpenException}); a cancelled Source hands every
   * byte it did not pass on to the next one.
   *
   * @return the Source
   */
  public Source<ByteString, NotUsed> source() {
    return PipeStreams.source(ref);
  }

  /**
   * Reads the pipe from an actor instead of a Source, one actor hop closer to the bytes: the pipe
   * answers {@code reader} with {@link ReadReply.Opened}, and the actor then asks for each
   * delivery with {@link ReadRequest.Demand}. The same guarantees as {@link #source()}: in order,
   * each byte once, one reader at a time, and a reader that cancels hands back what it did not
   * consume. See {@link ReadReply} for the exchange.
   *
   * @param reader the reading actor
   */
  public void read(ActorRef<ReadReply> reader) {
    ref.tell(new PipeCommand.Read(reader));
  }

  /**
   * The pipe as a Flow: elements in are written ({@link #sink()}), elements out were read
   * ({@link #source()}); the two ends finish independently (half-close).
   *
   * @return the Flow, whose value is the Sink's
   */
  public Flow<ByteString, ByteString, CompletionStage<Done>> flow() {
    return PipeStreams.flow(ref);
  }

  /**
   * The pipe's lifecycle events, from now on, ending with (and including) {@link PipeEvent.Closed};
   * on a pipe that is already closed, just that. Each materialization subscribes anew and
   * unsubscribes when cancelled. A consumer more than 256 events behind fails the stream.
   *
   * @return the Source
   */
  public Source<PipeEvent, NotUsed> events() {
    return Source.<PipeEvent>actorRef(
            message -> Optional.empty(), message -> Optional.empty(), EVENT_BUFFER,
            OverflowStrategy.fail())
        .takeWhile(event -> !(event instanceof PipeEvent.Closed), true)
        .mapMaterializedValue(events -> {
          // The pipe watches its subscribers: a cancelled stream's actor stops, and is dropped.
          subscribe(Adapter.toTyped(events));
          return NotUsed.getInstance();
        });
  }

  /**
   * Connects, as the reconnect policy allows: completes once a connection is up; fails only when
   * the policy gives up ({@link ReconnectFailedException}, with the last attempt's cause), the
   * pipe closes ({@link PipeClosedException}), the peer refuses for good, or the ask times out.
   * Failed attempts in between are events ({@link PipeEvent.ReconnectFailed}), not failures.
   * Joins an attempt in flight; {@link AlreadyConnectedException} if connected.
   *
   * @return completes when connected
   */
  public CompletionStage<Done> connect() {
    return connect(askTimeout);
  }

  /**
   * {@link #connect()}, waiting at most {@code timeout} (the pipe goes on trying after it).
   *
   * @param timeout how long to wait
   * @return completes when connected
   */
  public CompletionStage<Done> connect(Duration timeout) {
    return AskPattern.askWithStatus(ref, PipeCommand.Connect::new, timeout, system.scheduler());
  }

  /**
   * Replaces the connection with a new one.
   *
   * @return completes when the new connection is attached, as {@link #connect()}
   */
  public CompletionStage<Done> forceReconnect() {
    return AskPattern.askWithStatus(
        ref, PipeCommand.ForceReconnect::new, askTimeout, system.scheduler());
  }

  /**
   * Hands an accepting pipe a connection it received.
   *
   * @param connection the connection and the peer's read position
   * @return the local resume point to send back to the peer, once attached
   */
  public CompletionStage<ResumePoint> accept(Connection connection) {
    return AskPattern.askWithStatus(
        ref, replyTo -> new PipeCommand.Accept(connection, replyTo), askTimeout,
        system.scheduler());
  }

  /**
   * Closes the pipe now and, if connected, tells the peer (code
   * {@link PipeCommand.Close#CLOSED_BY_APPLICATION}); idempotent. Bytes the peer has not
   * acknowledged are dropped: to end without loss, complete the Sink and wait for its value first.
   * The Source completes; an open Sink fails with {@link PipeClosedException}.
   *
   * @return completes when closed
   */
  public CompletionStage<Done> close() {
    return AskPattern.askWithStatus(
        ref, PipeCommand.Close::new, askTimeout, system.scheduler());
  }

  /**
   * {@link #close()}, telling the peer why; the peer's pipe closes as
   * {@link DisconnectCause#CLOSED_BY_PEER} with a {@link PeerClosedException} carrying
   * {@code code} and {@code reason}. Idempotent: only the first close counts.
   *
   * @param code why, {@code 1..65535}
   * @param reason a human-readable reason (cut to 1024 bytes of UTF-8 on the wire)
   * @return completes when closed
   * @throws IllegalArgumentException if the code is out of range
   */
  public CompletionStage<Done> close(int code, String reason) {
    PipeCommand.Close.requireCode(code); // fails here, not inside the ask
    return AskPattern.askWithStatus(
        ref, replyTo -> new PipeCommand.Close(code, reason, replyTo), askTimeout,
        system.scheduler());
  }

  /**
   * Closes the pipe because its owner gives up on it before its end: like {@link #close()}, but a
   * Source still reading fails ({@link DisconnectCause#EXPIRED}) instead of completing, so a relay
   * does not take the cut for the end; the peer is told with code
   * {@value PipeCommand#EXPIRED_CODE}.
   *
   * @param reason why, for the log and the peer
   * @return completes when closed
   */
  public CompletionStage<Done> expire(String reason) {
    return AskPattern.askWithStatus(
        ref, replyTo -> new PipeCommand.Expire(reason, replyTo), askTimeout, system.scheduler());
  }

  /**
   * Takes a snapshot of the pipe.
   *
   * @return the status
   */
  public CompletionStage<PipeStatus> status() {
    return AskPattern.ask(ref, PipeCommand.GetStatus::new, askTimeout, system.scheduler());
  }

  /**
   * Sends the pipe's lifecycle events to {@code subscriber} until it stops or
   * {@link #unsubscribe}s; a closed pipe sends its {@link PipeEvent.Closed} at once.
   *
   * @param subscriber who is told
   */
  public void subscribe(ActorRef<PipeEvent> subscriber) {
    ref.tell(new PipeCommand.Subscribe(subscriber));
  }

  /**
   * Stops sending events to {@code subscriber}.
   *
   * @param subscriber who was told
   */
  public void unsubscribe(ActorRef<PipeEvent> subscriber) {
    ref.tell(new PipeCommand.Unsubscribe(subscriber));
  }
}
