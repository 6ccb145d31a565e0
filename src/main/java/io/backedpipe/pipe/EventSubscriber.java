package io.backedpipe.pipe;

import io.backedpipe.PipeEvent;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * One subscriber of a pipe's lifecycle events, and how an event becomes its message: itself for
 * {@code Subscribe}, the subscriber's adapter for {@code SubscribeAdapted}. Immutable; held in
 * {@link PipeData}.
 *
 * @param ref who is told
 * @param adapter turns an event into the subscriber's message; runs in the pipe's actor
 * @param <T> the subscriber's message type
 */
record EventSubscriber<T>(ActorRef<T> ref, Function<PipeEvent, ? extends T> adapter) {

  /** A plain subscriber: the event is the message. */
  static EventSubscriber<PipeEvent> of(ActorRef<PipeEvent> ref) {
    return new EventSubscriber<>(ref, Function.identity());
  }

  /** Tells the subscriber {@code event}, adapted. */
  void tell(PipeEvent event) {
    ref.tell(adapter.apply(event));
  }
}
