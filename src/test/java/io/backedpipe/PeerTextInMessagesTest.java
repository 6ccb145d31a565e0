package io.backedpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.backedpipe.transport.HandshakeRefusedException;
import io.backedpipe.wire.HandshakeStatus;
import org.junit.jupiter.api.Test;

/** Exceptions that carry a peer's words escape them, so a message cannot forge log lines. */
class PeerTextInMessagesTest {
  private static final String FORGED = "\r\n[ERROR] forged line\u001b[31m";

  @Test
  void shouldEscapeTheReasonInAPeerClosedMessage() {
    PeerClosedException e = new PeerClosedException(4000, FORGED);
    assertEquals("peer closed the pipe: code=4000 reason="
        + "\"\\u000d\\u000a[ERROR] forged line\\u001b[31m\"", e.getMessage());
    assertEquals(FORGED, e.reason()); // the raw text stays available to the program
  }

  @Test
  void shouldEscapeAndCutTheDetailInAHandshakeRefusedMessage() {
    HandshakeRefusedException e =
        new HandshakeRefusedException(HandshakeStatus.LIMIT_REACHED, FORGED + "x".repeat(300));
    String message = e.getMessage();
    assertEquals("handshake refused: status=LIMIT_REACHED detail=\"\\u000d\\u000a[ERROR] forged",
        message.substring(0, message.indexOf(" line")));
    assertEquals(true, message.endsWith("x\"..."), message);
  }
}
