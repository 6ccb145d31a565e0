package io.backedpipe.pipe;

import java.util.List;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * What every state of a {@link PipeSupervisor} knows: generation, reconnect bookkeeping, the last
 * error, the event subscribers and how far the clean end has come. Immutable; each transition
 * makes a new one.
 *
 * <p>{@code failedAttempts} and {@code givenUp} survive an attached connection until it proves
 * itself ({@code linkProved}: it stayed up for the policy's {@code stableAfter}, or carried
 * progress), so that a peer which accepts and drops every connection keeps the backoff growing.
 */
record PipeData(
    long generation,
    long reconnectCount,
    boolean everConnected,
    int failedAttempts,
    boolean givenUp,
    boolean linkProved,
    Optional<Throwable> lastError,
    List<EventSubscriber<?>> subscribers,
    Ending ending,
    List<ActorRef<StatusReply<Done>>> connectWaiters) {

  /**
   * How far the clean end has come: the peer's stream fully delivered here, ours fully
   * acknowledged there, the peer's CLOSE received, and the connection our CLOSE went out on.
   */
  record Ending(boolean inputEnded, boolean outputAcked, boolean closeReceived,
      long closeSentGeneration) {
    static final Ending NONE = new Ending(false, false, false, -1);

    boolean readyToClose() {
      return inputEnded && outputAcked;
    }

    Ending inputHasEnded() {
      return new Ending(true, outputAcked, closeReceived, closeSentGeneration);
    }

    Ending outputIsAcknowledged() {
      return new Ending(inputEnded, true, closeReceived, closeSentGeneration);
    }

    Ending closeHasArrived() {
      return new Ending(inputEnded, outputAcked, true, closeSentGeneration);
    }

    Ending closeSentOn(long generation) {
      return new Ending(inputEnded, outputAcked, closeReceived, generation);
    }
  }

  static PipeData initial() {
    return new PipeData(0, 0, false, 0, false, false, Optional.empty(), List.of(), Ending.NONE,
        List.of());
  }

  PipeData withGeneration(long next) {
    return new PipeData(next, reconnectCount, everConnected, failedAttempts, givenUp, linkProved,
        lastError, subscribers, ending, connectWaiters);
  }

  /** A connection was attached; the failures count until it proves itself. */
  PipeData connected() {
    long reconnects = everConnected ? reconnectCount + 1 : reconnectCount;
    return new PipeData(generation, reconnects, true, failedAttempts, givenUp, false, lastError,
        subscribers, ending, connectWaiters);
  }

  /** The attached connection proved itself: the attempts that led to it succeeded. */
  PipeData proved() {
    return new PipeData(generation, reconnectCount, everConnected, 0, false, true, lastError,
        subscribers, ending, connectWaiters);
  }

  PipeData failed(Throwable error) {
    return new PipeData(generation, reconnectCount, everConnected, failedAttempts + 1, givenUp,
        false, Optional.of(error), subscribers, ending, connectWaiters);
  }

  PipeData lost(Optional<Throwable> error) {
    return new PipeData(generation, reconnectCount, everConnected, failedAttempts, false, false,
        error.isPresent() ? error : lastError, subscribers, ending, connectWaiters);
  }

  PipeData givingUp() {
    return new PipeData(generation, reconnectCount, everConnected, failedAttempts, true,
        linkProved, lastError, subscribers, ending, connectWaiters);
  }

  PipeData withSubscribers(List<EventSubscriber<?>> next) {
    return new PipeData(generation, reconnectCount, everConnected, failedAttempts, givenUp,
        linkProved, lastError, List.copyOf(next), ending, connectWaiters);
  }

  PipeData withEnding(Ending next) {
    return new PipeData(generation, reconnectCount, everConnected, failedAttempts, givenUp,
        linkProved, lastError, subscribers, next, connectWaiters);
  }

  /**
   * Connect requests that outlive a failed attempt: they are answered when a later attempt
   * connects, or fail when the policy gives up or the pipe closes.
   */
  PipeData withConnectWaiters(List<ActorRef<StatusReply<Done>>> next) {
    return new PipeData(generation, reconnectCount, everConnected, failedAttempts, givenUp,
        linkProved, lastError, subscribers, ending, List.copyOf(next));
  }
}
