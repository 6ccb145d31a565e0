package io.backedpipe.pipe;

import io.backedpipe.PipeCommand;
import io.backedpipe.PipeException;
import io.backedpipe.ResumePoint;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * A connection attempt of a {@link PipeSupervisor} in flight: its generation and number, who waits
 * for its result, the accepted connection it serves (if any), its connection once running, and
 * the local resume point the reader reported. Immutable.
 */
record ReconnectAttempt(
    long generation,
    int number,
    List<ActorRef<StatusReply<Done>>> waiters,
    Optional<PipeCommand.Accept> accepting,
    Optional<LinkHandle> link,
    ResumePoint local) {

  ReconnectAttempt join(ActorRef<StatusReply<Done>> waiter) {
    List<ActorRef<StatusReply<Done>>> all = new ArrayList<>(waiters);
    all.add(waiter);
    return new ReconnectAttempt(generation, number, List.copyOf(all), accepting, link, local);
  }

  ReconnectAttempt withLink(LinkHandle handle) {
    return new ReconnectAttempt(generation, number, waiters, accepting, Optional.of(handle), local);
  }

  ReconnectAttempt at(ResumePoint point) {
    return new ReconnectAttempt(generation, number, waiters, accepting, link, point);
  }

  void fail(PipeException error) {
    waiters.forEach(w -> w.tell(StatusReply.error(error)));
    failAccepting(error);
  }

  /** Answers the accepted connection's ask only: the Connect waiters wait for the next attempt. */
  void failAccepting(PipeException error) {
    accepting.ifPresent(a -> a.replyTo().tell(StatusReply.error(error)));
  }
}
