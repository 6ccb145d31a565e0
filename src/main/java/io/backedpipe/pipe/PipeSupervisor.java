package io.backedpipe.pipe;

import io.backedpipe.AlreadyConnectedException;
import io.backedpipe.Completions;
import io.backedpipe.Connection;
import io.backedpipe.DisconnectCause;
import io.backedpipe.PipeClosedException;
import io.backedpipe.PipeCommand;
import io.backedpipe.PipeCommand.Accept;
import io.backedpipe.PipeCommand.Close;
import io.backedpipe.PipeCommand.Connect;
import io.backedpipe.PipeCommand.Expire;
import io.backedpipe.PipeCommand.ForceReconnect;
import io.backedpipe.PipeCommand.GetStatus;
import io.backedpipe.PipeCommand.Read;
import io.backedpipe.PipeCommand.Subscribe;
import io.backedpipe.PipeCommand.SubscribeAdapted;
import io.backedpipe.PipeCommand.Unsubscribe;
import io.backedpipe.PeerClosedException;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeException;
import io.backedpipe.PipeSettings;
import io.backedpipe.PipeState;
import io.backedpipe.PipeStatus;
import io.backedpipe.ReconnectFailedException;
import io.backedpipe.Reconnector;
import io.backedpipe.ResumePoint;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HumanText;
import io.backedpipe.wire.PeerText;
import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import java.util.function.LongSupplier;
import java.util.random.RandomGenerator;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.pattern.StatusReply;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Owns one pipe's connection-state machine and the connection generation; its children, the
 * {@link Writer} and the {@link Reader}, do the byte work.
 *
 * <p>Every connection attempt gets a new generation. The children stamp everything they report
 * about a connection with its generation, and each state handles only messages of the current
 * generation: anything older falls through to one stale handler, and a connection that arrives for
 * an abandoned attempt is closed. Attempts run asynchronously ({@code pipeToSelf}), so
 * {@link Close} wins at once in every state. Requests that arrive while an attempt is in flight
 * join it and all get its result.
 *
 * <pre>
 * state          message                                  next state
 * disconnected   Connect / ForceReconnect / retry timer   reconnecting (dial)
 * disconnected   Accept                                   reconnecting (accepted connection)
 * disconnected   Close                                    closed
 * reconnecting   writer attached the new connection       connected
 * reconnecting   dial failed / timed out / link lost      disconnected (retry timer per policy)
 * reconnecting   dial refused for good by the peer        closed (REFUSED)
 * reconnecting   writer rejected the peer's position      closed (dialed: data loss) or
 *                                                         disconnected (accepted: refused)
 * reconnecting   Accept                                   reconnecting (the newer one wins)
 * reconnecting   Close                                    closed
 * connected      proved: stayed up stable-after, or progress  connected (failed attempts reset)
 * connected      link lost (recoverable, can dial), proved  reconnecting (at once)
 * connected      link lost (recoverable, can dial), not yet  disconnected (one more failed
 *                proved                                   attempt: retry timer per policy)
 * connected      link lost (accept-only pipe)             disconnected
 * connected      ForceReconnect                           reconnecting
 * connected      Accept, writer can resume from its position reconnecting (takeover)
 * connected      Accept, writer cannot resume             connected (the Accept is refused)
 * connected      both directions ended, CLOSE sent and received  closed (COMPLETED)
 * connected      link lost, both directions ended, and the    closed (COMPLETED)
 *                peer's CLOSE came or the pipe only accepts
 * reconnecting   dial refused COMPLETED (the server finished)  closed (COMPLETED)
 * disconnected   accepting pipe becomes done (both ended)     closed (COMPLETED)
 * connected      peer's CLOSE with a non-zero code        closed (CLOSED_BY_PEER)
 * connected      Close                                    closed (our CLOSE goes out first)
 * any open state Expire                                   closed (EXPIRED; as Close)
 * closed         Close / Expire                           closed (ack; once the farewell is over)
 * closed         anything else                            closed (answered PipeClosedException)
 * </pre>
 *
 * <p>The Reader and Writer live as long as the pipe (they own the replay window and the positions,
 * which outlive connections); connections come and go beneath them, told apart by generation.
 */
public final class PipeSupervisor {
  private static final Object RETRY_TIMER = "retry";
  private static final Object ATTEMPT_TIMER = "attempt";
  private static final Object GIVE_UP_TIMER = "give-up";
  private static final Object FAREWELL_TIMER = "farewell";
  private static final Object STABLE_TIMER = "stable";
  /**
   * How long a closed pipe keeps the connection its farewell CLOSE went out on: long enough for
   * the peer to read it and end its direction, short enough that a silent peer cannot pin it.
   */
  static final Duration FAREWELL_TIMEOUT = Duration.ofSeconds(5);


  /** A write Sink asks for the writer. */
  record OpenWriter(ActorRef<Writer.Reply> replyTo) implements PipeCommand {}

  /** The reader switched to {@code generation}; {@code local} is where it resumes. */
  record ReaderSwitched(long generation, ResumePoint local) implements PipeCommand {}

  /** The writer attached the connection of {@code generation} and started its replay. */
  record WriterAttached(long generation, long peerReadPosition, long replayedBytes)
      implements PipeCommand {}

  /** The writer cannot serve the peer's position on the connection of {@code generation}. */
  record WriterRejected(long generation, PipeException error) implements PipeCommand {}

  /**
   * The connection of {@code generation} proved itself: the writer saw the peer acknowledge new
   * bytes, the reader received data, or it stayed up for the policy's {@code stableAfter} (the
   * supervisor's own timer). Each child sends it at most once per generation.
   */
  record LinkProved(long generation) implements PipeCommand {}

  /**
   * Written bytes have waited on the connection of {@code generation} for {@code stalledFor}
   * without an ack that moved the window: the peer stopped reading.
   */
  record AckStalled(long generation, long unackedBytes, Duration stalledFor) implements PipeCommand {}

  /** Acks move the window again on the connection of {@code generation} after a stall. */
  record AckResumed(long generation, Duration stalledFor) implements PipeCommand {}

  /** The connection of {@code generation} ended, failed, or broke the protocol. */
  record LinkLost(long generation, DisconnectCause cause, Optional<Throwable> error)
      implements PipeCommand {}

  /**
   * The writer's verdict on an accepted connection that asks to take over the connection of
   * {@code generation}: empty when it can resume from the new peer's position.
   */
  record ResumeChecked(long generation, Accept accept, Optional<PipeException> refusal)
      implements PipeCommand {}

  /** The reader delivered the peer's whole stream, its end included. */
  enum InputEnded implements PipeCommand {
    INSTANCE
  }

  /** The peer acknowledged every byte of our stream, which has ended. */
  enum OutputAcknowledged implements PipeCommand {
    INSTANCE
  }

  /** The peer sent CLOSE on the connection of {@code generation}. */
  record PeerClosed(long generation, int code, String reason) implements PipeCommand {}

  /** The connection of {@code generation} took our CLOSE. */
  record CloseSent(long generation) implements PipeCommand {}

  /** The reconnector of the attempt of {@code generation} delivered a connection. */
  private record Dialed(long generation, Connection connection) implements PipeCommand {}

  /** The reconnector of the attempt of {@code generation} failed. */
  private record DialFailed(long generation, Throwable cause) implements PipeCommand {}

  /** The attempt of {@code generation} took longer than the policy allows. */
  private record AttemptTimedOut(long generation) implements PipeCommand {}

  /** The backoff after a failed attempt is over. */
  private enum RetryTick implements PipeCommand {
    INSTANCE
  }

  /** The connection that carries a closed pipe's farewell CLOSE had its time. */
  private enum FarewellTimeout implements PipeCommand {
    INSTANCE
  }

  /** The policy's give-up time since the connection was lost has passed. */
  private enum GiveUpTick implements PipeCommand {
    INSTANCE
  }

  /** An event subscriber stopped. */
  private record SubscriberStopped(ActorRef<?> subscriber) implements PipeCommand {}

  /** A child stopped: a bug, since children live as long as the pipe. */
  private record ChildStopped(String role) implements PipeCommand {}

  /**
   * Only asks whether debug is on, under the name the actor's own logger gets (this class): the
   * first {@code context.getLog()} keeps a logging context (about 0.2 KiB) in the actor for good,
   * which every pipe would pay for its routine transitions even with debug off.
   */
  private static final Logger DEBUG = LoggerFactory.getLogger(PipeSupervisor.class);

  private final ActorContext<PipeCommand> context;
  private final TimerScheduler<PipeCommand> timers;
  private final PipeSettings settings;
  private final Optional<Reconnector> reconnector;
  private final RandomGenerator random;
  private final ActorRef<Writer.Command> writer;
  private final ActorRef<Reader.Command> reader;
  private final LinkMaterializer links;

  private PipeSupervisor(
      ActorContext<PipeCommand> context,
      TimerScheduler<PipeCommand> timers,
      PipeSettings settings,
      Optional<Reconnector> reconnector,
      RandomGenerator random,
      LongSupplier nanoClock) {
    this.context = context;
    this.timers = timers;
    this.settings = settings;
    this.reconnector = reconnector;
    this.random = random;
    this.writer = context.spawn(Writer.create(settings, context.getSelf(), nanoClock), "writer");
    context.watchWith(writer, new ChildStopped("writer"));
    this.reader = context.spawn(Reader.create(settings, context.getSelf(), writer), "reader")
        .narrow();
    context.watchWith(reader, new ChildStopped("reader"));
    this.links = new LinkMaterializer(writer, reader, context);
  }

  /**
   * Creates a pipe. With a reconnector it dials on {@link Connect} and reconnects by its policy;
   * without one it only takes connections handed to it with {@link Accept}.
   *
   * @param reconnector dials new connections, or empty for an accepting-only pipe
   * @param settings the pipe's settings
   * @param random spreads the backoff delays (jitter)
   * @param nanoClock the time in nanoseconds ({@code System::nanoTime}), for the ack stall watch
   * @return the behaviour, starting in {@code disconnected}
   */
  public static Behavior<PipeCommand> create(Optional<Reconnector> reconnector,
      PipeSettings settings, RandomGenerator random, LongSupplier nanoClock) {
    return Behaviors.setup(
        context ->
            Behaviors.withTimers(
                timers ->
                    new PipeSupervisor(context, timers, settings, reconnector, random, nanoClock)
                        .disconnected(PipeData.initial())));
  }

  // ---------------------------------------------------------------- states
  //
  // Each state is one Behavior whose message handler is a single method (an instanceof chain in
  // the order of the state's table), not a BehaviorBuilder table: a built table keeps a case
  // object, a handler lambda and a predicate per row for as long as the state lasts, about 1.5 KiB
  // per pipe end for the supervisor's 25 rows, rebuilt on every transition.

  private Behavior<PipeCommand> disconnected(PipeData data) {
    return Behaviors.receiveMessage(m -> onDisconnected(data, m));
  }

  private Behavior<PipeCommand> onDisconnected(PipeData data, PipeCommand m) {
    Behavior<PipeCommand> common = common(m, data, PipeState.DISCONNECTED, this::disconnected);
    if (common != null) {
      return common;
    }
    if (m instanceof Connect c) {
      return dial(data, c.replyTo());
    } else if (m instanceof ForceReconnect f) {
      return dial(data, f.replyTo());
    } else if (m instanceof Accept a) {
      return startAttempt(data, List.of(), Optional.of(a));
    } else if (m == RetryTick.INSTANCE) {
      return startAttempt(data, List.of(), Optional.empty());
    } else if (m == GiveUpTick.INSTANCE) {
      return giveUp(data);
    } else if (m instanceof Close c) {
      return close(data, c.replyTo(), DisconnectCause.CLOSED_BY_USER, Optional.empty());
    } else if (m instanceof Expire e) {
      return close(data, e.replyTo(), DisconnectCause.EXPIRED, Optional.empty());
    } else if (m instanceof Dialed d) {
      return onStaleDial(d);
    } else if (m instanceof ResumeChecked r) {
      // The connection the Accept was to take over was lost during the check, and nothing
      // happened since (only that loss moved the generation): nothing is left to take over, and
      // the Accept is handled as one arriving now. Refused, the client waited a backoff.
      return r.generation() == data.generation() - 1
          ? startAttempt(data, List.of(), Optional.of(r.accept()))
          : onStaleCheck(r);
    }
    return onStale(m);
  }

  private Behavior<PipeCommand> reconnecting(PipeData data, ReconnectAttempt attempt) {
    return Behaviors.receiveMessage(m -> onReconnecting(data, attempt, m));
  }

  private Behavior<PipeCommand> onReconnecting(PipeData data, ReconnectAttempt attempt,
      PipeCommand m) {
    Behavior<PipeCommand> common =
        common(m, data, PipeState.RECONNECTING, d -> reconnecting(d, attempt));
    if (common != null) {
      return common;
    }
    long gen = attempt.generation();
    if (m instanceof ReaderSwitched r && r.generation() == gen) {
      return onReaderSwitched(data, attempt, r);
    } else if (m instanceof Dialed d && d.generation() == gen) {
      return attach(data, attempt, d.connection());
    } else if (m instanceof DialFailed f && f.generation() == gen) {
      return onDialFailed(data, attempt, f);
    } else if (m instanceof WriterAttached a && a.generation() == gen) {
      return onAttached(data, attempt, a);
    } else if (m instanceof WriterRejected r && r.generation() == gen) {
      return onRejected(data, attempt, r.error());
    } else if (m instanceof LinkLost l && l.generation() == gen) {
      return attemptFailed(data, attempt, failure(attempt,
          "connection lost while attaching: cause=" + l.cause(), l.error().orElse(null)));
    } else if (m instanceof AttemptTimedOut t && t.generation() == gen) {
      return attemptFailed(data, attempt, failure(attempt,
          "timed out: attemptTimeout="
              + HumanText.duration(settings.reconnect().attemptTimeout()), null));
    } else if (m instanceof Connect c) {
      return join(data, attempt, c.replyTo());
    } else if (m instanceof ForceReconnect f) {
      return join(data, attempt, f.replyTo());
    } else if (m instanceof Accept a) {
      return supersede(data, attempt, a);
    } else if (m == GiveUpTick.INSTANCE) {
      return reconnecting(data.givingUp(), attempt);
    } else if (m instanceof Close c) {
      return closeDuringAttempt(data, attempt, c.replyTo(), DisconnectCause.CLOSED_BY_USER);
    } else if (m instanceof Expire e) {
      return closeDuringAttempt(data, attempt, e.replyTo(), DisconnectCause.EXPIRED);
    } else if (m instanceof Dialed d) {
      return onStaleDial(d);
    } else if (m instanceof ResumeChecked r) {
      return onStaleCheck(r);
    }
    return onStale(m);
  }

  private Behavior<PipeCommand> connected(PipeData data, LinkHandle link) {
    return Behaviors.receiveMessage(m -> onConnected(data, link, m));
  }

  private Behavior<PipeCommand> onConnected(PipeData data, LinkHandle link, PipeCommand m) {
    Behavior<PipeCommand> common =
        common(m, data, PipeState.CONNECTED, d -> connectedEnding(d, link));
    if (common != null) {
      return common;
    }
    long gen = link.generation();
    if (m instanceof PeerClosed p && p.generation() == gen) {
      return onPeerClosed(data, link, p);
    } else if (m instanceof CloseSent s && s.generation() == gen) {
      return connectedEnding(data.withEnding(data.ending().closeSentOn(gen)), link);
    } else if (m instanceof LinkLost l && l.generation() == gen) {
      return onLinkLost(data, link, l);
    } else if (m instanceof LinkProved p && p.generation() == gen && !data.linkProved()) {
      return onProved(data, link);
    } else if (m == GiveUpTick.INSTANCE) {
      return connected(data.givingUp(), link);
    } else if (m instanceof AckStalled s && s.generation() == gen) {
      return onAckStalled(data, s);
    } else if (m instanceof AckResumed r && r.generation() == gen) {
      return onAckResumed(data, r);
    } else if (m instanceof Connect c) {
      return refuse(c.replyTo(), new AlreadyConnectedException(gen));
    } else if (m instanceof ForceReconnect f) {
      return forceReconnect(data, link, f);
    } else if (m instanceof Accept a) {
      return checkTakeover(link, a);
    } else if (m instanceof ResumeChecked r && r.generation() == gen) {
      return onTakeoverChecked(data, link, r);
    } else if (m instanceof Close c) {
      return closeConnected(data, link, c.code(), c.reason(), c.replyTo(),
          DisconnectCause.CLOSED_BY_USER);
    } else if (m instanceof Expire e) {
      return closeConnected(data, link, PipeCommand.EXPIRED_CODE, e.reason(), e.replyTo(),
          DisconnectCause.EXPIRED);
    } else if (m instanceof Dialed d) {
      return onStaleDial(d);
    } else if (m instanceof ResumeChecked r) {
      return onStaleCheck(r);
    }
    return onStale(m);
  }

  /**
   * The end state. {@code farewell} is the connection a user's {@link Close} went out on, kept
   * until the connection took the CLOSE, at most {@link #FAREWELL_TIMEOUT}. Then our direction
   * ends after the CLOSE (an orderly end, so the peer reads it first); the end of our direction
   * completes the port's {@code outgoingDone}, watched since the close (the closed reader reports
   * no connection), whose {@code LinkLost} shuts the rest of it. A close
   * asked again meanwhile ({@code waiters}) is answered once the farewell is over, so an owner
   * that must not stop the pipe before its peer was told (a process shutting down) can wait.
   */
  private Behavior<PipeCommand> closed(PipeData data, PipeClosedException reason,
      Optional<LinkHandle> farewell) {
    return closed(data, reason, farewell, List.of());
  }

  private Behavior<PipeCommand> closed(PipeData data, PipeClosedException reason,
      Optional<LinkHandle> farewell, List<ActorRef<StatusReply<Done>>> waiters) {
    return Behaviors.receiveMessage(m -> onClosed(data, reason, farewell, waiters, m));
  }

  private Behavior<PipeCommand> onClosed(PipeData data, PipeClosedException reason,
      Optional<LinkHandle> farewell, List<ActorRef<StatusReply<Done>>> waiters, PipeCommand m) {
    // A late subscriber hears how the pipe ended, so a watcher never waits for a past event.
    if (m instanceof Subscribe s) {
      return tellClosed(EventSubscriber.of(s.subscriber()), reason);
    } else if (m instanceof SubscribeAdapted<?> s) {
      return tellClosed(adapted(s), reason);
    }
    Behavior<PipeCommand> common = common(m, data, PipeState.CLOSED,
        d -> closed(d, reason, farewell, waiters));
    if (common != null) {
      return common;
    }
    long gen = farewell.map(LinkHandle::generation).orElse(Long.MIN_VALUE);
    if (m instanceof CloseSent s && s.generation() == gen && farewell.isPresent()) {
      farewell.get().finishOutgoing();
      return Behaviors.same();
    } else if (m instanceof LinkLost l && l.generation() == gen && farewell.isPresent()) {
      return farewellDone(data, reason, farewell.get(), waiters);
    } else if (m == FarewellTimeout.INSTANCE) {
      return farewell.isPresent()
          ? farewellDone(data, reason, farewell.get(), waiters) : Behaviors.same();
    } else if (m instanceof Connect c) {
      return refuse(c.replyTo(), reason);
    } else if (m instanceof ForceReconnect f) {
      return refuse(f.replyTo(), reason);
    } else if (m instanceof Accept a) {
      return refuseAccept(a, reason);
    } else if (m instanceof Close c) {
      return closeAgain(data, reason, farewell, waiters, c.replyTo());
    } else if (m instanceof Expire e) {
      return closeAgain(data, reason, farewell, waiters, e.replyTo());
    } else if (m instanceof Dialed d) {
      return onStaleDial(d);
    } else if (m instanceof ResumeChecked r) {
      return onStaleCheck(r);
    }
    return onStale(m);
  }

  /** A close of a closed pipe: answered at once, or when the farewell in progress is over. */
  private Behavior<PipeCommand> closeAgain(PipeData data, PipeClosedException reason,
      Optional<LinkHandle> farewell, List<ActorRef<StatusReply<Done>>> waiters,
      ActorRef<StatusReply<Done>> replyTo) {
    if (farewell.isEmpty()) {
      return acknowledge(replyTo);
    }
    List<ActorRef<StatusReply<Done>>> all = new ArrayList<>(waiters);
    all.add(replyTo);
    return closed(data, reason, farewell, List.copyOf(all));
  }

  private Behavior<PipeCommand> farewellDone(PipeData data, PipeClosedException reason,
      LinkHandle link, List<ActorRef<StatusReply<Done>>> waiters) {
    timers.cancel(FAREWELL_TIMER);
    link.shutdown();
    waiters.forEach(w -> w.tell(StatusReply.ack()));
    return closed(data, reason, Optional.empty());
  }

  /**
   * Handlers every state shares: status, subscriptions, stream endpoints, child supervision.
   * Null when {@code m} is none of them.
   */
  private Behavior<PipeCommand> common(
      PipeCommand m,
      PipeData data,
      PipeState state,
      Function<PipeData, Behavior<PipeCommand>> stay) {
    if (m instanceof GetStatus g) {
      return forward(reader, new Reader.ReportStatus(status(data, state), g.replyTo()));
    } else if (m instanceof OpenWriter o) {
      return forward(writer, new Writer.Open(o.replyTo()));
    } else if (m instanceof Read r) {
      return forward(reader, new Reader.Open(r.replyTo()));
    } else if (m == InputEnded.INSTANCE) {
      return ended(data.withEnding(data.ending().inputHasEnded()), state, stay);
    } else if (m == OutputAcknowledged.INSTANCE) {
      return ended(data.withEnding(data.ending().outputIsAcknowledged()), state, stay);
    } else if (m instanceof Subscribe s) {
      return stay.apply(subscribe(data, EventSubscriber.of(s.subscriber())));
    } else if (m instanceof SubscribeAdapted<?> s) {
      return stay.apply(subscribe(data, adapted(s)));
    } else if (m instanceof Unsubscribe u) {
      return stay.apply(unsubscribe(data, u.subscriber()));
    } else if (m instanceof SubscriberStopped s) {
      return stay.apply(unsubscribe(data, s.subscriber()));
    } else if (m instanceof ChildStopped c) {
      return onChildStopped(c);
    }
    return null;
  }

  /**
   * An accepting pipe without a connection that becomes complete (its application read the last
   * bytes after the link was lost) closes: it cannot dial, and there is nothing left to resume.
   */
  private Behavior<PipeCommand> ended(PipeData data, PipeState state,
      Function<PipeData, Behavior<PipeCommand>> stay) {
    if (state == PipeState.DISCONNECTED && reconnector.isEmpty() && data.ending().readyToClose()) {
      return close(data, null, DisconnectCause.COMPLETED, Optional.empty());
    }
    return stay.apply(data);
  }


  // ---------------------------------------------------------------- transitions

  private Behavior<PipeCommand> dial(PipeData data, ActorRef<StatusReply<Done>> replyTo) {
    if (reconnector.isEmpty()) {
      replyTo.tell(StatusReply.error(new ReconnectFailedException(
          data.failedAttempts() + 1, "no reconnector: this pipe only accepts connections",
          null)));
      return Behaviors.same();
    }
    return startAttempt(data, List.of(replyTo), Optional.empty());
  }

  private Behavior<PipeCommand> startAttempt(
      PipeData data, List<ActorRef<StatusReply<Done>>> waiters, Optional<Accept> accepting) {
    timers.cancel(RETRY_TIMER);
    List<ActorRef<StatusReply<Done>>> all = new ArrayList<>(data.connectWaiters());
    all.addAll(waiters);
    PipeData next = retire(data).withConnectWaiters(List.of());
    long gen = next.generation();
    ReconnectAttempt attempt =
        new ReconnectAttempt(gen, data.failedAttempts() + 1, List.copyOf(all), accepting,
            Optional.empty(), new ResumePoint(0, 0));
    timers.startSingleTimer(
        ATTEMPT_TIMER, new AttemptTimedOut(gen), settings.reconnect().attemptTimeout());
    publish(next, new PipeEvent.Reconnecting(gen, attempt.number()));
    logTransition(PipeState.RECONNECTING, gen);
    return reconnecting(next, attempt);
  }

  private Behavior<PipeCommand> onReaderSwitched(PipeData data, ReconnectAttempt attempt, ReaderSwitched m) {
    ReconnectAttempt positioned = attempt.at(m.local());
    if (attempt.accepting().isPresent()) {
      return attach(data, positioned, attempt.accepting().get().connection());
    }
    long gen = attempt.generation();
    context.pipeToSelf(
        dialFrom(m.local()),
        (connection, error) ->
            error == null ? new Dialed(gen, connection) : new DialFailed(gen, error));
    return reconnecting(data, positioned);
  }

  private CompletionStage<Connection> dialFrom(ResumePoint local) {
    try {
      CompletionStage<Connection> stage = reconnector.get().reconnect(local);
      return stage != null
          ? Completions.direct(stage)
          : CompletableFuture.failedFuture(new NullPointerException("reconnector returned null"));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private Behavior<PipeCommand> onDialFailed(PipeData data, ReconnectAttempt attempt, DialFailed m) {
    Throwable cause = m.cause() instanceof java.util.concurrent.CompletionException
        && m.cause().getCause() != null ? m.cause().getCause() : m.cause();
    if (cause instanceof PipeException refusal && !refusal.isRecoverable()) {
      // The peer said no for good (unknown stream, not authorized...): retrying would not help.
      timers.cancel(ATTEMPT_TIMER);
      if (refusal.meansStreamCompleted()) {
        // The server closed the stream cleanly after our last connection died. It does so only
        // once it has read our whole stream, end included, and we have read (acknowledged) every
        // byte of its stream; only its END_OF_STREAM may have been lost with the connection, so
        // its end is ours to deliver: the Source completes, and nothing is left to resume.
        attempt.fail(closedError(DisconnectCause.COMPLETED, Optional.empty()));
        return close(data, null, DisconnectCause.COMPLETED, Optional.empty());
      }
      attempt.fail(refusal);
      return close(data, null, DisconnectCause.REFUSED, Optional.of(refusal));
    }
    return attemptFailed(data, attempt, failure(attempt, "reconnector failed", cause));
  }

  private Behavior<PipeCommand> attach(PipeData data, ReconnectAttempt attempt, Connection connection) {
    try {
      // The connection's end, either way, reaches us through the reader, after the frames the
      // connection delivered (a peer's CLOSE right after its WELCOME, then its end): LinkPort.
      LinkHandle handle = links.attach(attempt.generation(), connection);
      return reconnecting(data, attempt.withLink(handle));
    } catch (RuntimeException e) {
      return attemptFailed(data, attempt, failure(attempt, "connection failed to start", e));
    }
  }

  private Behavior<PipeCommand> onAttached(PipeData data, ReconnectAttempt attempt, WriterAttached m) {
    timers.cancel(ATTEMPT_TIMER);
    reader.tell(new Reader.Activate(m.generation()));
    PipeData next = data.connected();
    Duration stableAfter = settings.reconnect().stableAfter();
    if (stableAfter.isZero()) {
      timers.cancel(GIVE_UP_TIMER);
      next = next.proved();
    } else {
      // The failures (and the give-up timer) stand until this connection proves itself.
      timers.startSingleTimer(STABLE_TIMER, new LinkProved(m.generation()), stableAfter);
    }
    attempt.waiters().forEach(w -> w.tell(StatusReply.ack()));
    attempt.accepting()
        .ifPresent(a -> a.replyTo().tell(StatusReply.success(attempt.local())));
    publish(next, new PipeEvent.Connected(
        m.generation(), m.peerReadPosition(), m.replayedBytes(), next.reconnectCount()));
    logTransition(PipeState.CONNECTED, m.generation());
    return connectedEnding(next, attempt.link().orElseThrow());
  }

  private Behavior<PipeCommand> onRejected(PipeData data, ReconnectAttempt attempt, PipeException error) {
    abandon(attempt);
    timers.cancel(ATTEMPT_TIMER);
    attempt.fail(error);
    if (attempt.accepting().isPresent()) {
      // The peer's problem, not the pipe's, and any client can cause it: not a warning.
      context.getLog().info("refused accepted connection: generation [{}] error [{}]",
          attempt.generation(), error.getMessage());
      PipeData next = data.lost(Optional.of(error));
      scheduleRetry(next, attempt, next.failedAttempts() + 1);
      logTransition(PipeState.DISCONNECTED, attempt.generation());
      return disconnected(next);
    }
    publish(data, new PipeEvent.DataLost(error));
    return close(data, null, DisconnectCause.DATA_LOSS, Optional.of(error));
  }

  private Behavior<PipeCommand> attemptFailed(PipeData data, ReconnectAttempt attempt, PipeException error) {
    timers.cancel(ATTEMPT_TIMER);
    abandon(attempt);
    PipeData next = data.failed(error);
    Optional<Duration> delay = scheduleRetry(data, attempt, next.failedAttempts());
    if (delay.isPresent()) {
      // Connect means "connected, as the policy allows": its callers wait for the next attempt.
      attempt.failAccepting(error);
      next = next.withConnectWaiters(attempt.waiters());
    } else {
      attempt.fail(error);
    }
    // DEBUG: an owner that watches the events says it in its own words, once per outage
    context.getLog().debug("reconnect attempt [{}] failed, next in [{}]: [{}]",
        attempt.number(), delay.map(HumanText::duration).orElse("never"), error.getMessage());
    publish(next, new PipeEvent.ReconnectFailed(attempt.number(), error, delay));
    logTransition(PipeState.DISCONNECTED, attempt.generation());
    return disconnected(next);
  }

  /**
   * Starts the retry timer when the policy allows another dial: after a failed dial, and after a
   * failed accepted connection on a pipe that wants to be connected (it was connected before, or
   * its dials were failing). A pipe that never dialed does not start because of a bad Accept.
   */
  private Optional<Duration> scheduleRetry(PipeData before, ReconnectAttempt attempt, int failedAttempts) {
    boolean wanted = attempt.accepting().isEmpty() || before.everConnected()
        || before.failedAttempts() > 0;
    return wanted ? startRetryTimer(before, failedAttempts) : Optional.empty();
  }

  /** Starts the retry timer after {@code failedAttempts} failures, unless the policy gave up. */
  private Optional<Duration> startRetryTimer(PipeData before, int failedAttempts) {
    if (before.givenUp() || reconnector.isEmpty()) {
      return Optional.empty();
    }
    Optional<Duration> delay = settings.reconnect().nextDelay(failedAttempts, random.nextDouble());
    delay.ifPresent(d -> timers.startSingleTimer(RETRY_TIMER, RetryTick.INSTANCE, d));
    return delay;
  }

  private Behavior<PipeCommand> supersede(PipeData data, ReconnectAttempt attempt, Accept newer) {
    abandon(attempt);
    attempt.accepting().ifPresent(a -> a.replyTo().tell(StatusReply.error(
        failure(attempt, "superseded by a newer accepted connection", null))));
    return startAttempt(data, attempt.waiters(), Optional.of(newer));
  }

  private Behavior<PipeCommand> onLinkLost(PipeData data, LinkHandle link, LinkLost m) {
    if (data.ending().readyToClose()
        && (data.ending().closeReceived() || reconnector.isEmpty())) {
      // Both streams are complete: nothing is left to resume. A dialing pipe that has not seen
      // the peer's CLOSE still dials once more, to learn the peer is done too (the server
      // answers COMPLETED); an accepting pipe cannot dial, and its peer will learn it so.
      link.shutdown();
      return close(data, null, DisconnectCause.COMPLETED, Optional.empty());
    }
    PipeData lost = drop(data, link, m.cause(), m.error());
    if (reconnector.isPresent() && m.cause().isRecoverable()) {
      if (!data.linkProved()) {
        return lostUnproved(data, lost, link, m);
      }
      startGiveUpTimer();
      return startAttempt(lost, List.of(), Optional.empty());
    }
    logTransition(PipeState.DISCONNECTED, lost.generation());
    return disconnected(retire(lost));
  }

  /**
   * A connection lost before it proved itself is one more failed attempt: the next one waits the
   * backoff, so a peer that accepts and drops every connection is not dialed in a tight loop. The
   * give-up timer keeps running from the first such loss. The children move on to a new generation
   * at once, as on an accept-only pipe, so that the writer lets go of the dead link (and its ack
   * stall watch) while the backoff runs.
   */
  private Behavior<PipeCommand> lostUnproved(PipeData before, PipeData lost, LinkHandle link, LinkLost m) {
    ReconnectFailedException error = new ReconnectFailedException(before.failedAttempts() + 1,
        "connection lost before it proved itself: cause=" + m.cause(), m.error().orElse(null));
    PipeData failed = before.givenUp() ? lost.givingUp().failed(error) : lost.failed(error);
    if (!before.givenUp() && !timers.isTimerActive(GIVE_UP_TIMER)) {
      startGiveUpTimer();
    }
    Optional<Duration> delay = startRetryTimer(before, failed.failedAttempts());
    context.getLog().debug("reconnect attempt [{}] failed, next in [{}]: [{}]",
        error.attempt(), delay.map(HumanText::duration).orElse("never"), error.getMessage());
    publish(failed, new PipeEvent.ReconnectFailed(error.attempt(), error, delay));
    logTransition(PipeState.DISCONNECTED, link.generation());
    return disconnected(retire(failed));
  }

  private void startGiveUpTimer() {
    Duration giveUp = settings.reconnect().giveUpAfter();
    if (!giveUp.isZero()) {
      timers.startSingleTimer(GIVE_UP_TIMER, GiveUpTick.INSTANCE, giveUp);
    }
  }

  private Behavior<PipeCommand> onAckStalled(PipeData data, AckStalled m) {
    // WARN although the peer causes it: only an attached (so, with a secret, authenticated) link
    // stalls, once per stall, and a full window is what the operator must hear about.
    context.getLog().warn("peer stalled: generation [{}] unacknowledged bytes [{}] for [{}]",
        m.generation(), m.unackedBytes(), HumanText.duration(m.stalledFor()));
    publish(data, new PipeEvent.PeerStalled(m.generation(), m.unackedBytes(), m.stalledFor()));
    return Behaviors.same();
  }

  private Behavior<PipeCommand> onAckResumed(PipeData data, AckResumed m) {
    context.getLog().info("peer resumed acknowledging: generation [{}] after [{}]",
        m.generation(), HumanText.duration(m.stalledFor()));
    publish(data, new PipeEvent.PeerResumed(m.generation(), m.stalledFor()));
    return Behaviors.same();
  }

  /** The connection stayed up long enough, or carried progress: the attempts succeeded. */
  private Behavior<PipeCommand> onProved(PipeData data, LinkHandle link) {
    timers.cancel(STABLE_TIMER);
    timers.cancel(GIVE_UP_TIMER);
    if (DEBUG.isDebugEnabled()) {
      context.getLog().debug("connection proved itself: generation [{}] after [{}] failed"
          + " attempts", link.generation(), data.failedAttempts());
    }
    return connected(data.proved(), link);
  }

  private Behavior<PipeCommand> forceReconnect(PipeData data, LinkHandle link, ForceReconnect m) {
    if (reconnector.isEmpty()) {
      return dial(data, m.replyTo());
    }
    PipeData lost = drop(data, link, DisconnectCause.FORCED_RECONNECT, Optional.empty());
    return startAttempt(lost, List.of(m.replyTo()), Optional.empty());
  }

  /**
   * Enters (or stays in) {@code connected}, moving the clean end along: once both directions have
   * ended, CLOSE goes out on this connection; once it went out and the peer's CLOSE came in, the
   * pipe closes as {@link DisconnectCause#COMPLETED}.
   */
  private Behavior<PipeCommand> connectedEnding(PipeData data, LinkHandle link) {
    PipeData.Ending ending = data.ending();
    if (ending.readyToClose() && ending.closeSentGeneration() != link.generation()) {
      writer.tell(new Writer.SendClose(link.generation())); // idempotent in the writer
    }
    if (ending.closeReceived() && ending.closeSentGeneration() == link.generation()) {
      // Our CLOSE is in the connection; end only our direction, so the peer reads it before it
      // sees anything end. The peer ends its direction once it has read it.
      link.finishOutgoing();
      return close(data, null, DisconnectCause.COMPLETED, Optional.empty());
    }
    return connected(data, link);
  }

  private Behavior<PipeCommand> onPeerClosed(PipeData data, LinkHandle link, PeerClosed m) {
    if (m.code() != 0) {
      context.getLog().debug("peer closed the pipe: code [{}] reason {}", m.code(),
          PeerText.quote(m.reason()));
      link.shutdown();
      return close(data, null, DisconnectCause.CLOSED_BY_PEER,
          Optional.of(new PeerClosedException(m.code(), m.reason())));
    }
    return connectedEnding(data.withEnding(data.ending().closeHasArrived()), link);
  }

  /** A takeover drops a working connection, so the writer vets the newcomer's position first. */
  private Behavior<PipeCommand> checkTakeover(LinkHandle link, Accept newer) {
    writer.tell(new Writer.CheckResume(link.generation(), newer));
    return Behaviors.same();
  }

  private Behavior<PipeCommand> onTakeoverChecked(PipeData data, LinkHandle link, ResumeChecked m) {
    if (m.refusal().isPresent()) {
      // Any client can send a HELLO for a known stream: at WARN it could fill the server's log.
      context.getLog().info("refused takeover: generation [{}] error [{}]", link.generation(),
          m.refusal().get().getMessage());
      m.accept().replyTo().tell(StatusReply.error(m.refusal().get()));
      links.discard(m.accept().connection());
      return Behaviors.same();
    }
    return takeOver(data, link, m.accept());
  }

  /**
   * The connection it asked to replace changed while the writer checked: refuse it (the client
   * retries). Re-queueing it instead could let it overtake a newer Accept that came meanwhile.
   */
  private Behavior<PipeCommand> onStaleCheck(ResumeChecked m) {
    m.accept().replyTo().tell(StatusReply.error(new ReconnectFailedException(1,
        "the connection to take over changed during the check: generation=" + m.generation(),
        null)));
    links.discard(m.accept().connection());
    return Behaviors.same();
  }

  private Behavior<PipeCommand> join(PipeData data, ReconnectAttempt attempt, ActorRef<StatusReply<Done>> replyTo) {
    if (reconnector.isEmpty()) {
      return dial(data, replyTo); // answers "no reconnector", as in every other state
    }
    return reconnecting(data, attempt.join(replyTo));
  }

  private Behavior<PipeCommand> takeOver(PipeData data, LinkHandle link, Accept newer) {
    PipeData lost = drop(data, link, DisconnectCause.TAKEN_OVER, Optional.empty());
    return startAttempt(lost, List.of(), Optional.of(newer));
  }

  /** Tells the peer before anything else goes out, so it closes too instead of waiting. */
  private Behavior<PipeCommand> closeConnected(PipeData data, LinkHandle link, int code,
      String reason, ActorRef<StatusReply<Done>> replyTo, DisconnectCause cause) {
    Frame.Close farewell = Frame.Close.shortened(code, reason);
    return close(data, replyTo, cause, Optional.empty(),
        Optional.of(new Writer.Farewell(link.generation(), farewell)), Optional.of(link));
  }

  private Behavior<PipeCommand> closeDuringAttempt(PipeData data, ReconnectAttempt attempt,
      ActorRef<StatusReply<Done>> replyTo, DisconnectCause cause) {
    abandon(attempt);
    attempt.fail(closedError(cause, Optional.empty()));
    return close(data, replyTo, cause, Optional.empty());
  }

  /** Tells subscribers no attempt will follow, so a watcher can give up on the pipe too. */
  private Behavior<PipeCommand> giveUp(PipeData data) {
    timers.cancel(RETRY_TIMER);
    context.getLog().debug("reconnect policy gave up after [{}]",
        HumanText.duration(settings.reconnect().giveUpAfter()));
    ReconnectFailedException gaveUp = new ReconnectFailedException(data.failedAttempts(),
        "gave up: giveUpAfter=" + HumanText.duration(settings.reconnect().giveUpAfter()),
        data.lastError().orElse(null));
    data.connectWaiters().forEach(w -> w.tell(StatusReply.error(gaveUp)));
    PipeData next = data.givingUp().withConnectWaiters(List.of());
    publish(next, new PipeEvent.ReconnectFailed(data.failedAttempts(), gaveUp, Optional.empty()));
    return disconnected(next);
  }

  private Behavior<PipeCommand> close(
      PipeData data,
      ActorRef<StatusReply<Done>> replyTo,
      DisconnectCause cause,
      Optional<Throwable> error) {
    return close(data, replyTo, cause, error, Optional.empty(), Optional.empty());
  }

  private Behavior<PipeCommand> close(
      PipeData data,
      ActorRef<StatusReply<Done>> replyTo,
      DisconnectCause cause,
      Optional<Throwable> error,
      Optional<Writer.Farewell> farewell,
      Optional<LinkHandle> farewellLink) {
    timers.cancelAll();
    farewellLink.ifPresent(l -> {
      timers.startSingleTimer(FAREWELL_TIMER, FarewellTimeout.INSTANCE, FAREWELL_TIMEOUT);
      // The closed reader no longer reports this connection: its end comes from the port itself.
      // Nothing is read any more, so nothing can be overtaken.
      context.pipeToSelf(l.outgoingDone(), (done, none) -> new LinkLost(l.generation(),
          DisconnectCause.LINK_FAILED, Optional.of(new IOException("connection stopped taking frames"))));
    });
    PipeClosedException reason = closedError(cause, error);
    data.connectWaiters().forEach(w -> w.tell(StatusReply.error(reason)));
    data = data.withConnectWaiters(List.of());
    writer.tell(new Writer.Close(reason, farewell));
    reader.tell(new Reader.Close(reason));
    if (replyTo != null) {
      replyTo.tell(StatusReply.ack());
    }
    PipeData next = error.isPresent() ? data.lost(error) : data;
    publish(next, new PipeEvent.Closed(cause, error));
    logTransition(PipeState.CLOSED, data.generation());
    return closed(next, reason, farewellLink);
  }

  // ---------------------------------------------------------------- helpers

  /** Bumps the generation and tells the children, so nothing of older connections counts. */
  private PipeData retire(PipeData data) {
    PipeData next = data.withGeneration(data.generation() + 1);
    writer.tell(new Writer.Detach(next.generation()));
    reader.tell(new Reader.SwitchGeneration(next.generation()));
    return next;
  }

  private PipeData drop(PipeData data, LinkHandle link, DisconnectCause cause, Optional<Throwable> error) {
    link.shutdown();
    timers.cancel(STABLE_TIMER);
    // DEBUG: the Disconnected event carries it, and whoever owns the pipe tells the user once
    context.getLog().debug("connection lost: generation [{}] cause [{}] error [{}]",
        link.generation(), cause, error.map(Throwable::toString).orElse("none"));
    PipeData lost = data.lost(error);
    publish(lost, new PipeEvent.Disconnected(link.generation(), cause, error));
    return lost;
  }

  private void abandon(ReconnectAttempt attempt) {
    if (attempt.link().isPresent()) {
      attempt.link().get().shutdown();
    } else {
      attempt.accepting().ifPresent(a -> links.discard(a.connection()));
    }
  }

  private static ReconnectFailedException failure(ReconnectAttempt attempt, String detail, Throwable cause) {
    return new ReconnectFailedException(attempt.number(), detail, cause);
  }

  private static PipeClosedException closedError(DisconnectCause cause, Optional<Throwable> error) {
    return new PipeClosedException(cause, error.orElse(null));
  }

  private static Behavior<PipeCommand> refuse(
      ActorRef<StatusReply<Done>> replyTo, PipeException error) {
    replyTo.tell(StatusReply.error(error));
    return Behaviors.same();
  }

  private static Behavior<PipeCommand> acknowledge(ActorRef<StatusReply<Done>> replyTo) {
    replyTo.tell(StatusReply.ack());
    return Behaviors.same();
  }

  private static <T> Behavior<PipeCommand> forward(ActorRef<T> child, T message) {
    child.tell(message);
    return Behaviors.same();
  }

  private Behavior<PipeCommand> refuseAccept(Accept accept, PipeClosedException reason) {
    accept.replyTo().tell(StatusReply.error(reason));
    links.discard(accept.connection());
    return Behaviors.same();
  }

  private Behavior<PipeCommand> onChildStopped(ChildStopped stopped) {
    // Reader and Writer live as long as the pipe: one stopping is a bug, so fail loudly.
    throw new IllegalStateException("child stopped: role=" + stopped.role());
  }

  private Behavior<PipeCommand> onStaleDial(Dialed m) {
    context.getLog().debug("closing connection of abandoned attempt: generation [{}]",
        m.generation());
    links.discard(m.connection());
    return Behaviors.same();
  }

  private Behavior<PipeCommand> onStale(PipeCommand m) {
    context.getLog().debug("ignoring stale [{}]", m);
    return Behaviors.same();
  }

  private PipeData subscribe(PipeData data, EventSubscriber<?> subscriber) {
    if (data.subscribers().stream().anyMatch(s -> s.ref().equals(subscriber.ref()))) {
      return data;
    }
    context.watchWith(subscriber.ref(), new SubscriberStopped(subscriber.ref()));
    List<EventSubscriber<?>> all = new ArrayList<>(data.subscribers());
    all.add(subscriber);
    return data.withSubscribers(all);
  }

  private PipeData unsubscribe(PipeData data, ActorRef<?> subscriber) {
    context.unwatch(subscriber);
    List<EventSubscriber<?>> all = new ArrayList<>(data.subscribers());
    all.removeIf(s -> s.ref().equals(subscriber));
    return data.withSubscribers(all);
  }

  /** A late subscriber of a closed pipe hears how it ended, and nothing more. */
  private static Behavior<PipeCommand> tellClosed(EventSubscriber<?> subscriber,
      PipeClosedException reason) {
    subscriber.tell(new PipeEvent.Closed(reason.closeCause(),
        Optional.ofNullable(reason.getCause())));
    return Behaviors.same();
  }

  private static <T> EventSubscriber<T> adapted(SubscribeAdapted<T> m) {
    return new EventSubscriber<>(m.subscriber(), m.adapter());
  }

  private static void publish(PipeData data, PipeEvent event) {
    data.subscribers().forEach(s -> s.tell(event));
  }

  private static PipeStatus status(PipeData data, PipeState state) {
    return new PipeStatus(state, data.generation(), 0, 0, 0, 0, data.reconnectCount(),
        data.failedAttempts(), data.lastError());
  }

  private void logTransition(PipeState to, long generation) {
    if (DEBUG.isDebugEnabled()) {
      context.getLog().debug("-> [{}] generation [{}]", to, generation);
    }
  }
}
