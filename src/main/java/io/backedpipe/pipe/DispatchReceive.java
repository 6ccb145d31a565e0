package io.backedpipe.pipe;

import java.util.function.Function;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Signal;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;

/**
 * A {@link Receive} that hands every message to one method and leaves signals unhandled (but for
 * an optional clean-up when the actor stops): for an
 * actor that lives as long as its pipe and would otherwise keep a built table of a case object and
 * a handler per row for its whole life (about a kilobyte per pipe end, on thousands of pipes).
 *
 * @param <T> the actor's protocol
 */
final class DispatchReceive<T> extends Receive<T> {
  private final Function<T, Behavior<T>> dispatch;
  private final Runnable onStop;

  DispatchReceive(Function<T, Behavior<T>> dispatch) {
    this(dispatch, () -> { });
  }

  DispatchReceive(Function<T, Behavior<T>> dispatch, Runnable onStop) {
    this.dispatch = dispatch;
    this.onStop = onStop;
  }

  @Override
  public Behavior<T> receiveMessage(T message) {
    return dispatch.apply(message);
  }

  @Override
  public Behavior<T> receiveSignal(Signal signal) {
    if (signal == PostStop.instance()) {
      onStop.run();
      return Behaviors.same();
    }
    return Behaviors.unhandled();
  }
}
