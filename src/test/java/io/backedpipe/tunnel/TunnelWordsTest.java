package io.backedpipe.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.DisconnectCause;
import io.backedpipe.transport.HandshakeRefusedException;
import io.backedpipe.PeerClosedException;
import io.backedpipe.wire.HandshakeStatus;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.stream.StreamTcpException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The words of a tunneled stream's log: why a link was lost, why a stream closed. */
class TunnelWordsTest {

  @Test
  void shouldSayWhyALinkWasLost() {
    assertEquals("connection reset", TunnelWords.linkLost(DisconnectCause.LINK_FAILED,
        Optional.of(new StreamTcpException("The connection closed with error: Connection reset"))));
    assertEquals("the connection was closed",
        TunnelWords.linkLost(DisconnectCause.LINK_CLOSED, Optional.empty()));
    assertEquals("no byte received for 3s (heartbeat-timeout)",
        TunnelWords.linkLost(DisconnectCause.LINK_FAILED,
            Optional.of(new io.backedpipe.transport.LinkSilentException(Duration.ofSeconds(3)))));
    assertEquals("a newer connection took over",
        TunnelWords.linkLost(DisconnectCause.TAKEN_OVER, Optional.empty()));
  }

  @Test
  void shouldQuoteTheOtherEndsReasonWhenItClosed() {
    assertEquals("closed by the other end: \"target unreachable: connection refused\"",
        TunnelWords.closed(DisconnectCause.CLOSED_BY_PEER, Optional.of(new PeerClosedException(
            TunnelCloseCode.TARGET_UNREACHABLE.code(), "target unreachable: connection refused")),
            true));
  }

  @Test
  void shouldNeverSayClosedByUserForACloseTheUserDidNotMake() {
    for (DisconnectCause cause : DisconnectCause.values()) {
      for (boolean dialing : new boolean[] {true, false}) {
        String words = TunnelWords.closed(cause, Optional.empty(), dialing);
        assertFalse(words.contains(cause.name()), words);
        assertFalse(words.contains("_"), words);
      }
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "COMPLETED   | true  | closed, both directions complete",
      "EXPIRED     | false | expired: the client did not come back within the grace period,"
          + " or the server is stopping",
      "PIPE_STOPPED| true  | closed: the tunnel stopped",
  })
  void shouldSayHowAStreamClosedInPlainWords(DisconnectCause cause, boolean dialing,
      String words) {
    assertEquals(words, TunnelWords.closed(cause, Optional.empty(), dialing));
  }

  @Test
  void shouldTellALostStreamFromOtherRefusals() {
    assertTrue(TunnelWords.streamLost(Optional.of(
        new HandshakeRefusedException(HandshakeStatus.UNKNOWN_STREAM, "unknown stream"))));
    assertFalse(TunnelWords.streamLost(Optional.of(
        new HandshakeRefusedException(HandshakeStatus.NOT_AUTHORIZED, "proof wrong"))));
    assertEquals("closed: the server did not accept this client's shared secret: \"proof wrong\"",
        TunnelWords.closed(DisconnectCause.REFUSED, Optional.of(
            new HandshakeRefusedException(HandshakeStatus.NOT_AUTHORIZED, "proof wrong")), true));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "connection refused                                | connection refused",
      "the server is at a limit: \"pipes=3 maxPipes=3\"   | the server is at a limit",
      "not a backed-pipe server (it sent \"SSH-2.0\")     | not a backed-pipe server",
      "TLS handshake failed: PKIX path building failed   | TLS handshake failed",
  })
  void shouldGroupFailuresByKind(String essence, String kind) {
    assertEquals(kind, TunnelWords.kind(essence));
  }
}
