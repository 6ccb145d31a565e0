package io.backedpipe.pipe;

import io.backedpipe.PipeEvent;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What every state of a {@link PipeSupervisor} knows: generation, reconnect bookkeeping, the last
 * error, the event subscribers and how far the clean end has come. Immutable; each transition
 * makes a new one.
 */
record PipeData(
    long generation,
    long reconnectCount,
    boolean everConnected,
    int failedAttempts,
    boolean givenUp,
    Optional<Throwable> lastError,
    List<ActorRef<PipeEvent>> subscribers,
    Ending ending) {

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
    return new PipeData(0, 0, false, 0, false, Optional.empty(), List.of(), Ending.NONE);
  }

  PipeData withGeneration(long next) {
    return new PipeData(next, reconnectCount, everConnected, failedAttempts, givenUp, lastError,
        subscribers, ending);
  }

  PipeData connected() {
    long reconnects = everConnected ? reconnectCount + 1 : reconnectCount;
    return new PipeData(generation, reconnects, true, 0, false, lastError, subscribers, ending);
  }

  PipeData failed(Throwable error) {
    return new PipeData(generation, reconnectCount, everConnected, failedAttempts + 1, givenUp,
        Optional.of(error), subscribers, ending);
  }

  PipeData lost(Optional<Throwable> error) {
    return new PipeData(generation, reconnectCount, everConnected, failedAttempts, false,
        error.isPresent() ? error : lastError, subscribers, ending);
  }

  PipeData givingUp() {
    return new PipeData(generation, reconnectCount, everConnected, failedAttempts, true, lastError,
        subscribers, ending);
  }

  PipeData withSubscribers(List<ActorRef<PipeEvent>> next) {
    return new PipeData(generation, reconnectCount, everConnected, failedAttempts, givenUp,
        lastError, List.copyOf(next), ending);
  }

  PipeData withEnding(Ending next) {
    return new PipeData(generation, reconnectCount, everConnected, failedAttempts, givenUp,
        lastError, subscribers, next);
  }
}
