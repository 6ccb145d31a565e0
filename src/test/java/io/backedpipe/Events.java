package io.backedpipe;

import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/** Waiting for one kind of lifecycle event in tests. */
public final class Events {
  private Events() {}

  /**
   * Skips events until one of {@code type} arrives.
   *
   * @param events the subscribed probe
   * @param type the kind of event awaited
   * @param timeout the longest wait for each event
   * @param <E> the kind of event
   * @return the event
   */
  public static <E extends PipeEvent> E await(
      TestProbe<PipeEvent> events, Class<E> type, Duration timeout) {
    while (true) {
      PipeEvent event = events.receiveMessage(timeout);
      if (type.isInstance(event)) {
        return type.cast(event);
      }
    }
  }
}
