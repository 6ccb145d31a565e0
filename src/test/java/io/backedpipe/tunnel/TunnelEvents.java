package io.backedpipe.tunnel;

import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;

/** What a test reads of a tunnel's pipe events. */
final class TunnelEvents {
  private TunnelEvents() {}

  /**
   * The events that came so far: those the probe holds, and any that follow within 300 ms of the
   * last.
   *
   * @param probe the tunnel's listener
   * @return the events, in order
   */
  static List<TunnelEvent> soFar(TestProbe<TunnelEvent> probe) {
    List<TunnelEvent> events = new ArrayList<>();
    try {
      while (true) {
        events.add(probe.receiveMessage(Duration.ofMillis(300)));
      }
    } catch (AssertionError none) {
      return events;
    }
  }
}
