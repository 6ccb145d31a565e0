package io.backedpipe.transport;

import io.backedpipe.PeerClosedException;
import io.backedpipe.PipeClosedException;
import io.backedpipe.ReconnectFailedException;
import io.backedpipe.wire.HandshakeStatus;
import io.backedpipe.wire.MalformedFrameException;
import io.backedpipe.wire.PeerText;
import java.net.BindException;
import java.net.ConnectException;
import java.net.NoRouteToHostException;
import java.net.SocketTimeoutException;
import java.net.UnknownHostException;
import java.util.Locale;
import java.util.concurrent.CompletionException;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.scaladsl.Framing;

/**
 * Says why a connection failed in a few words, for a log line a person reads: {@code connection
 * refused}, {@code timed out}, {@code host unreachable}, {@code connection reset}, {@code TLS
 * handshake failed: ...}, {@code not a backed-pipe server (it sent "SSH-2.0-Op"...)}, instead of
 * the chain of wrappers ({@code reconnect failed: attempt=3 detail=reconnector failed
 * cause=...HandshakeFailedException: ... Tcp command [Connect(...)] failed because of
 * java.net.ConnectException: Connection refused}). The exceptions keep their {@code key=value}
 * messages for programs and debug logs; this is the one place that turns them into words.
 *
 * <p>Pure and stateless.
 */
public final class FailureText {
  private static final String HANDSHAKE_FAILED = "handshake failed: ";
  private static final String CLOSED_WITH_ERROR = "The connection closed with error: ";

  private FailureText() {}

  /**
   * The essence of a failure: what went wrong, without the wrappers around it.
   *
   * @param error the failure, or {@code null}
   * @return a short lower-case phrase (proper names such as TLS keep their case)
   */
  public static String essence(Throwable error) {
    if (error == null) {
      return "unknown failure";
    }
    Throwable cause = error.getCause();
    if ((error instanceof CompletionException || error instanceof ExecutionException)
        && cause != null) {
      return essence(cause);
    }
    if (error instanceof ReconnectFailedException) {
      return cause != null ? essence(cause) : after(error.getMessage(), "detail=");
    }
    if (error instanceof HandshakeFailedException) {
      return cause != null ? essence(cause) : after(error.getMessage(), HANDSHAKE_FAILED);
    }
    if (error instanceof HandshakeRefusedException refused) {
      return refusal(refused.status(), error.getMessage());
    }
    if (error instanceof UnprovenServerException unproven) {
      return "the server did not prove the shared secret: " + unproven.reason();
    }
    if (error instanceof PeerClosedException peer) {
      return "closed by the other end: " + PeerText.quote(peer.reason());
    }
    if (error instanceof PipeClosedException closed) {
      return cause != null ? essence(cause)
          : "closed (" + closed.closeCause().name().toLowerCase(Locale.ROOT) + ")";
    }
    if (error instanceof Framing.FramingException || error instanceof MalformedFrameException) {
      return "protocol error: " + error.getMessage();
    }
    return network(error);
  }

  /** What the operating system or Pekko's TCP said, in its own few words. */
  private static String network(Throwable error) {
    String message = error.getMessage() == null ? "" : error.getMessage();
    if (error instanceof ConnectException && message.contains("timed out")
        || error instanceof SocketTimeoutException || error instanceof TimeoutException) {
      return "timed out";
    }
    if (error instanceof NoRouteToHostException) {
      return "host unreachable";
    }
    if (error instanceof UnknownHostException) {
      return message.isEmpty() ? "unknown host" : "unknown host " + message;
    }
    if (error instanceof BindException) {
      // "[/127.0.0.1:7000] Address already in use": the address is said by the caller
      return lowerFirst(message.replaceFirst("^\\[[^\\]]*\\] ", ""));
    }
    if (error instanceof StreamTcpException) {
      if (error.getCause() != null && error.getCause() != error) {
        return essence(error.getCause());
      }
      if (message.startsWith("Connect timeout")) {
        return "timed out";
      }
      if (message.startsWith(CLOSED_WITH_ERROR)) {
        return lowerFirst(message.substring(CLOSED_WITH_ERROR.length()));
      }
    }
    if (message.isEmpty()) {
      return error.getCause() != null && error.getCause() != error
          ? essence(error.getCause()) : error.getClass().getSimpleName();
    }
    return error instanceof java.io.IOException ? lowerFirst(message) : message;
  }

  /**
   * A refusal in the words of its status, with the server's detail when it adds something.
   *
   * @param status the server's verdict
   * @param message the exception's message, which carries the escaped detail
   */
  private static String refusal(HandshakeStatus status, String message) {
    String detail = after(message, "detail=");
    String why = switch (status) {
      case UNKNOWN_STREAM ->
          "the server no longer knows this stream (it restarted, or the grace period passed)";
      case VERSION_UNSUPPORTED -> "the server speaks another protocol version";
      case BAD_POSITION -> "the server cannot resume from this stream's position";
      case LIMIT_REACHED -> "the server is at a limit";
      case NOT_AUTHORIZED -> "the server did not accept this client's shared secret";
      case HISTORY_MISMATCH -> "the server's copy of this stream has another history";
      case COMPLETED -> "the server has finished this stream";
      default -> "the server refused the stream (" + status + ")";
    };
    return detail.isEmpty() || detail.equals("\"\"") ? why : why + ": " + detail;
  }

  /** The text after {@code marker}, or all of it when the marker is not there. */
  private static String after(String message, String marker) {
    if (message == null) {
      return "";
    }
    int at = message.indexOf(marker);
    return at < 0 ? message : message.substring(at + marker.length());
  }

  private static String lowerFirst(String text) {
    if (text.isEmpty() || text.length() > 1 && Character.isUpperCase(text.charAt(1))) {
      return text; // "TLS ...", "IO ..." keep their case
    }
    return Character.toLowerCase(text.charAt(0)) + text.substring(1);
  }
}
