package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.backedpipe.PeerClosedException;
import io.backedpipe.ReconnectFailedException;
import io.backedpipe.wire.HandshakeStatus;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.UnknownHostException;
import java.time.Duration;
import java.util.concurrent.CompletionException;
import javax.net.ssl.SSLHandshakeException;
import org.apache.pekko.stream.StreamTcpException;
import org.junit.jupiter.api.Test;

/** A failure in a few words: what a person reads in the tool's log instead of the wrappers. */
class FailureTextTest {

  /** As the pipe reports a dial that failed: reconnect, handshake and TCP wrappers around it. */
  private static Throwable dialFailed(Throwable cause) {
    return new CompletionException(new ReconnectFailedException(3, "reconnector failed",
        new HandshakeFailedException("connection failed during handshake", cause)));
  }

  private static StreamTcpException tcp(String message, Throwable cause) {
    StreamTcpException e = new StreamTcpException(message);
    if (cause != null) {
      e.initCause(cause);
    }
    return e;
  }

  @Test
  void shouldSayConnectionRefusedWhenTheServerPortIsClosed() {
    Throwable refused = tcp("Tcp command [Connect(127.0.0.1/<unresolved>:7999,None,List(),"
        + "Some(5 seconds),true)] failed because of java.net.ConnectException: Connection refused",
        new ConnectException("Connection refused"));
    assertEquals("connection refused", FailureText.essence(dialFailed(refused)));
  }

  @Test
  void shouldSayTimedOutWhenTheConnectTimesOut() {
    assertEquals("timed out", FailureText.essence(dialFailed(
        tcp("Connect timeout of Some(5 seconds) expired", null))));
    assertEquals("timed out", FailureText.essence(dialFailed(
        new ConnectException("Connection timed out"))));
  }

  @Test
  void shouldSayHostUnreachableAndUnknownHost() {
    assertEquals("host unreachable", FailureText.essence(dialFailed(
        new NoRouteToHostException("No route to host"))));
    assertEquals("unknown host nohost.invalid", FailureText.essence(dialFailed(
        new UnknownHostException("nohost.invalid"))));
  }

  @Test
  void shouldSayConnectionResetWhenTheLinkBreaks() {
    assertEquals("connection reset", FailureText.essence(dialFailed(
        tcp("The connection closed with error: Connection reset", null))));
  }

  @Test
  void shouldKeepTheTlsFailureText() {
    assertEquals("TLS handshake failed: PKIX path building failed",
        FailureText.essence(new ReconnectFailedException(1, "reconnector failed",
            new TlsFailedException(new SSLHandshakeException("PKIX path building failed")))));
  }

  @Test
  void shouldSayWhatASilentLinkIs() {
    assertEquals("no byte received for 3s (heartbeat-timeout)",
        FailureText.essence(dialFailed(new LinkSilentException(Duration.ofSeconds(3)))));
  }

  @Test
  void shouldGiveTheHandshakesOwnWordsWhenItHasNoCause() {
    assertEquals("not a backed-pipe server (it sent \"SSH-2.0-Open\"...)",
        FailureText.essence(new ReconnectFailedException(2, "reconnector failed",
            new HandshakeFailedException("not a backed-pipe server (it sent \"SSH-2.0-Open\"...)",
                null))));
  }

  @Test
  void shouldSayARefusalInTheWordsOfItsStatus() {
    assertEquals("the server no longer knows this stream (it restarted, or the grace period"
        + " passed): \"no such stream\"", FailureText.essence(
            new HandshakeRefusedException(HandshakeStatus.UNKNOWN_STREAM, "no such stream")));
    assertEquals("the server is at a limit: \"pipes=10 maxPipes=10\"", FailureText.essence(
        new HandshakeRefusedException(HandshakeStatus.LIMIT_REACHED, "pipes=10 maxPipes=10")));
    assertEquals("the server did not accept this client's shared secret", FailureText.essence(
        new HandshakeRefusedException(HandshakeStatus.NOT_AUTHORIZED, "")));
  }

  @Test
  void shouldQuoteThePeersReasonWhenItClosed() {
    assertEquals("closed by the other end: \"target unreachable: connection refused\"",
        FailureText.essence(new PeerClosedException(16, "target unreachable: connection refused")));
  }

  @Test
  void shouldSayWhatABindFailedOnWithoutTheAddress() {
    assertEquals("address already in use", FailureText.essence(tcp(
        "Bind failed because of java.net.BindException: [/127.0.0.1:7000] Address already in use",
        new BindException("[/127.0.0.1:7000] Address already in use"))));
  }

  @Test
  void shouldSayTheDetailOfAnAttemptThatTimedOut() {
    assertEquals("timed out: attemptTimeout=10s", FailureText.essence(
        new ReconnectFailedException(4, "timed out: attemptTimeout=10s", null)));
  }
}
