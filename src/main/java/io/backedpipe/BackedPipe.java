package io.backedpipe;

import io.backedpipe.pipe.PipeStreams;
import io.backedpipe.pipe.PipeSupervisor;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A reliable, ordered, bidirectional byte stream that survives the loss of the connection under it.
 *
 * <p>A pipe is an actor: spawn {@link #create} (dialing side) or {@link #createAccepting}
 * (accepting side) where you like, then write through {@link #sink()}, read through
 * {@link #source()} and steer it with the commands of {@link PipeSupervisor}. This class wraps the
 * actor reference with {@code CompletionStage} versions of those commands. It holds no state of
 * its own and is safe to share between threads.
 *
 * <pre>{@code
 * ActorRef<PipeSupervisor.Command> ref =
 *     context.spawn(BackedPipe.create(reconnector, PipeSettings.create(system)), "pipe");
 * BackedPipe pipe = BackedPipe.of(ref, system);
 * pipe.connect();                                   // CompletionStage<Done>
 * Source.single(ByteString.fromString("hello")).runWith(pipe.sink(), system);
 * pipe.source().runForeach(bytes -> handle(bytes), system);
 * }</pre>
 *
 * <p>By default a dialing pipe reconnects after every recoverable loss with exponential backoff
 * (see {@link ReconnectPolicy}); an accepting pipe waits for the peer to come back with
 * {@link PipeSupervisor.Accept}.
 */
public final class BackedPipe {
  private static final Duration DEFAULT_ASK_TIMEOUT = Duration.ofSeconds(30);

  private final ActorRef<PipeSupervisor.Command> ref;
  private final ActorSystem<?> system;
  private final Duration askTimeout;

  private BackedPipe(ActorRef<PipeSupervisor.Command> ref, ActorSystem<?> system,
      Duration askTimeout) {
    this.ref = ref;
    this.system = system;
    this.askTimeout = askTimeout;
  }

  /**
   * The behaviour of a dialing pipe: it connects with {@code reconnector} on {@code Connect} and
   * again after every recoverable loss, as the settings' policy says.
   *
   * @param reconnector dials and handshakes new connections
   * @param settings the pipe's settings
   * @return the behaviour, to spawn
   */
  public static Behavior<PipeSupervisor.Command> create(
      Reconnector reconnector, PipeSettings settings) {
    return PipeSupervisor.create(Optional.of(reconnector), settings, new SplittableRandom(),
        System::nanoTime);
  }

  /**
   * The behaviour of an accepting pipe: it never dials, and takes each new connection handed to it
   * with {@link PipeSupervisor.Accept} (a newer one replaces an older one).
   *
   * @param settings the pipe's settings
   * @return the behaviour, to spawn
   */
  public static Behavior<PipeSupervisor.Command> createAccepting(PipeSettings settings) {
    return PipeSupervisor.create(Optional.empty(), settings, new SplittableRandom(),
        System::nanoTime);
  }

  /**
   * Wraps a spawned pipe; asks time out after 30 seconds.
   *
   * @param ref the pipe's actor
   * @param system the actor system it runs in
   * @return the wrapper
   */
  public static BackedPipe of(ActorRef<PipeSupervisor.Command> ref, ActorSystem<?> system) {
    return new BackedPipe(ref, system, DEFAULT_ASK_TIMEOUT);
  }

  /**
   * A copy whose asks time out after {@code askTimeout}.
   *
   * @param askTimeout the ask timeout
   * @return the new wrapper
   */
  public BackedPipe withAskTimeout(Duration askTimeout) {
    return new BackedPipe(ref, system, askTimeout);
  }

  /**
   * The pipe's actor.
   *
   * @return the reference
   */
  public ActorRef<PipeSupervisor.Command> ref() {
    return ref;
  }

  /**
   * A Sink that writes into the pipe; see {@link PipeStreams#sink}.
   *
   * @return the Sink
   */
  public Sink<ByteString, CompletionStage<Done>> sink() {
    return PipeStreams.sink(ref);
  }

  /**
   * A Source of what the peer wrote; see {@link PipeStreams#source}.
   *
   * @return the Source
   */
  public Source<ByteString, NotUsed> source() {
    return PipeStreams.source(ref);
  }

  /**
   * The pipe as a Flow; see {@link PipeStreams#flow}.
   *
   * @return the Flow
   */
  public Flow<ByteString, ByteString, CompletionStage<Done>> flow() {
    return PipeStreams.flow(ref);
  }

  /**
   * Connects a pipe that is not connected.
   *
   * @return completes when connected, or fails with a {@link PipeException}
   */
  public CompletionStage<Done> connect() {
    return AskPattern.askWithStatus(
        ref, PipeSupervisor.Connect::new, askTimeout, system.scheduler());
  }

  /**
   * Replaces the connection with a new one.
   *
   * @return completes when the new connection is attached, or fails with a {@link PipeException}
   */
  public CompletionStage<Done> forceReconnect() {
    return AskPattern.askWithStatus(
        ref, PipeSupervisor.ForceReconnect::new, askTimeout, system.scheduler());
  }

  /**
   * Hands the pipe a connection the accepting side received.
   *
   * @param connection the connection and the peer's read position
   * @return the local resume point to send back to the peer, once attached
   */
  public CompletionStage<ResumePoint> accept(Connection connection) {
    return AskPattern.askWithStatus(
        ref, replyTo -> new PipeSupervisor.Accept(connection, replyTo), askTimeout,
        system.scheduler());
  }

  /**
   * Closes the pipe and, if connected, tells the peer (code
   * {@link PipeSupervisor.Close#CLOSED_BY_APPLICATION}); idempotent.
   *
   * @return completes when closed
   */
  public CompletionStage<Done> close() {
    return AskPattern.askWithStatus(
        ref, PipeSupervisor.Close::new, askTimeout, system.scheduler());
  }

  /**
   * Closes the pipe and, if connected, tells the peer why; the peer's pipe closes as
   * {@link DisconnectCause#CLOSED_BY_PEER} with a {@link PeerClosedException} carrying
   * {@code code} and {@code reason}. Idempotent: only the first close counts.
   *
   * @param code why, {@code 1..65535}
   * @param reason a human-readable reason (cut to 1024 bytes of UTF-8 on the wire)
   * @return completes when closed
   * @throws IllegalArgumentException if the code is out of range
   */
  public CompletionStage<Done> close(int code, String reason) {
    PipeSupervisor.Close.requireCode(code); // fails here, not inside the ask
    return AskPattern.askWithStatus(
        ref, replyTo -> new PipeSupervisor.Close(code, reason, replyTo), askTimeout,
        system.scheduler());
  }

  /**
   * Takes a snapshot of the pipe.
   *
   * @return the status
   */
  public CompletionStage<PipeStatus> status() {
    return AskPattern.ask(ref, PipeSupervisor.GetStatus::new, askTimeout, system.scheduler());
  }

  /**
   * Sends the pipe's lifecycle events to {@code subscriber}.
   *
   * @param subscriber who is told
   */
  public void subscribe(ActorRef<PipeEvent> subscriber) {
    ref.tell(new PipeSupervisor.Subscribe(subscriber));
  }
}
