package io.backedpipe.tunnel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/** What a test reads of the events a probe was told. */
final class TunnelEvents {
  private TunnelEvents() {}

  /**
   * The events that came so far: those the probe holds, and any that follow within 300 ms of the
   * last.
   *
   * @param probe the listener (a tunnel's, or a pipe's)
   * @param <T> what it is told
   * @return the events, in order
   */
  static <T> List<T> soFar(TestProbe<T> probe) {
    List<T> events = new ArrayList<>();
    try {
      while (true) {
        events.add(probe.receiveMessage(Duration.ofMillis(300)));
      }
    } catch (AssertionError none) {
      return events;
    }
  }
}
