package io.backedpipe.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.Connection;
import io.backedpipe.DisconnectCause;
import io.backedpipe.PeerClosedException;
import io.backedpipe.PipeEvent;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.testing.ProbeReconnector;
import io.backedpipe.wire.Frame;
import java.io.IOException;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A connection's end never overtakes the frames it delivered: the peer's CLOSE that arrives with
 * the connection's end, while the pipe is still attaching the connection, is read, and the pipe
 * closes with the peer's reason instead of failing the attempt (issue 13: over TLS a server's
 * WELCOME, CLOSE and end made the client report REFUSED; {@code TunnelTlsIT} found it).
 */
class LinkEndOrderTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Frame.Close FAREWELL = new Frame.Close(7, "target unreachable");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /**
   * Regression: the link's outgoing watch reported the loss to the supervisor directly; run on
   * the completing thread, it failed the attempt before the reader, active only once the writer
   * attached, read the CLOSE.
   */
  @Test
  void shouldReadThePeersCloseOfAConnectionThatStoppedTakingFramesAtOnce() {
    assertClosedByPeer(Flow.fromSinkAndSource(Sink.cancelled(), Source.single(FAREWELL)));
  }

  /**
   * Regression: the connection's sink dropped the frames it held for the reader when the
   * connection failed right after them, so the attempt failed without the CLOSE.
   */
  @Test
  void shouldReadThePeersCloseOfAConnectionThatFailedRightAfterIt() {
    Frame reset = new Frame.Ping(0); // fails the connection where it would be delivered
    assertClosedByPeer(Flow.fromSinkAndSource(Sink.ignore(),
        Source.from(List.of(FAREWELL, reset)).map(frame -> {
          if (frame == reset) {
            throw new IOException("reset");
          }
          return frame;
        })));
  }

  @Test
  void shouldReadThePeersCloseOfAConnectionThatEndedBothWaysRightAfterIt() {
    assertClosedByPeer(Flow.fromSinkAndSourceCoupled(Sink.ignore(), Source.single(FAREWELL)));
  }

  /**
   * A running connection failed from outside through its port ({@link LinkPort#fail}, as the
   * reconnect benchmark does) reaches the pipe as a link failure: the reader is told. Regression: the port's only way to end from outside left an attached pipe's
   * reader untold, and the pipe waited on a dead connection.
   */
  @Test
  void shouldTellThePipeOfAConnectionFailedThroughItsPort() {
    PipeHarness h = PipeHarness.dialing(
        testKit, PipeHarness.settings(testKit, ReconnectPolicy.singleAttempt()));
    TestProbe<StatusReply<Done>> replies = h.connect();
    LinkPort port = LinkPort.stage(java.time.Duration.ofSeconds(10))
        .joinMat(Flow.fromSinkAndSource(Sink.<Frame>ignore(), Source.<Frame>maybe()),
            org.apache.pekko.stream.javadsl.Keep.left())
        .run(testKit.system());
    h.dials.expectMessageClass(ProbeReconnector.Request.class, PipeHarness.TIMEOUT)
        .succeed(new Connection(new io.backedpipe.ResumePoint(0, 0,
            io.backedpipe.wire.LinkLimits.NONE), port));
    assertTrue(replies.receiveMessage(PipeHarness.TIMEOUT).isSuccess(), "connect failed");
    port.fail(new IOException("cut from outside"));
    PipeEvent.Disconnected lost = h.awaitEvent(PipeEvent.Disconnected.class);
    assertEquals(DisconnectCause.LINK_FAILED, lost.cause());
    assertEquals("cut from outside", lost.error().orElseThrow().getMessage());
  }

  private static void assertClosedByPeer(Flow<Frame, Frame, ?> frames) {
    PipeHarness h = PipeHarness.dialing(
        testKit, PipeHarness.settings(testKit, ReconnectPolicy.singleAttempt()));
    TestProbe<StatusReply<Done>> replies = h.connect();
    h.dials.expectMessageClass(ProbeReconnector.Request.class, PipeHarness.TIMEOUT)
        .succeed(new Connection(0, frames));
    assertTrue(replies.receiveMessage(PipeHarness.TIMEOUT).isSuccess(), "connect failed");
    PipeEvent.Closed closed = h.awaitEvent(PipeEvent.Closed.class);
    assertEquals(DisconnectCause.CLOSED_BY_PEER, closed.cause());
    PeerClosedException why =
        assertInstanceOf(PeerClosedException.class, closed.error().orElseThrow());
    assertEquals(7, why.code());
    assertEquals("target unreachable", why.reason());
  }
}
