package io.backedpipe.pipe;

import io.backedpipe.Connection;
import io.backedpipe.testing.ProbeReconnector;
import io.backedpipe.wire.Frame;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/** Odd connections for tests: ones that break in ways a well-behaved link never does. */
final class ProbeReconnectorAnswer {
  private ProbeReconnectorAnswer() {}

  /**
   * Answers the next dial with a connection whose write side takes one frame and then stops
   * (dropping it), while its read side stays open and silent.
   */
  static void withDeadWriteSide(PipeHarness h) {
    Flow<Frame, Frame, ?> deadWriteSide = Flow.fromSinkAndSource(
        Flow.<Frame>create().take(1).to(Sink.ignore()), Source.maybe());
    h.dials.expectMessageClass(ProbeReconnector.Request.class, PipeHarness.TIMEOUT)
        .succeed(new Connection(0, deadWriteSide));
  }
}
