package io.backedpipe.tunnel;

import io.backedpipe.DisconnectCause;
import io.backedpipe.transport.HandshakeRefusedException;
import io.backedpipe.PeerClosedException;
import io.backedpipe.transport.FailureText;
import io.backedpipe.wire.HandshakeStatus;
import io.backedpipe.wire.PeerText;
import java.util.Optional;

/**
 * What a tunneled stream's log says about its pipe, in plain words: why a link was lost and why a
 * stream closed. The causes of the library ({@link DisconnectCause}) are for programs; a person
 * reads {@code link lost (connection reset)} and {@code closed by the other end: "target
 * unreachable: connection refused"}, never {@code CLOSED_BY_USER} for a close the user did not
 * make. Pure and stateless.
 */
final class TunnelWords {
  private TunnelWords() {}

  /**
   * Why a link was lost.
   *
   * @param cause the pipe's cause
   * @param error the failure behind it, if any
   * @return for example {@code connection reset}
   */
  static String linkLost(DisconnectCause cause, Optional<Throwable> error) {
    if (cause == DisconnectCause.LINK_CLOSED) {
      return "the connection was closed";
    } else if (cause == DisconnectCause.TAKEN_OVER) {
      return "a newer connection took over";
    } else if (cause == DisconnectCause.FORCED_RECONNECT) {
      return "a new connection was asked for";
    } else if (cause == DisconnectCause.PROTOCOL_VIOLATION) {
      return "the peer broke the protocol" + error.map(e -> ": " + FailureText.essence(e))
          .orElse("");
    }
    return error.map(FailureText::essence).orElse("the connection failed");
  }

  /**
   * The kind of a failure, to tell a new kind in an outage from the same one again: its words up
   * to the first detail ({@code the server is at a limit} for any figures after it).
   *
   * @param essence the failure in words ({@link FailureText#essence})
   * @return the kind
   */
  static String kind(String essence) {
    int cut = essence.length();
    for (String mark : new String[] {": ", " ("}) {
      int at = essence.indexOf(mark);
      if (at > 0 && at < cut) {
        cut = at;
      }
    }
    return essence.substring(0, cut);
  }

  /**
   * Whether a close means the server no longer has the stream: it restarted, or forgot it after
   * its grace period, and the client's bytes can go nowhere.
   *
   * @param error the failure of the close
   * @return {@code true} for an {@code UNKNOWN_STREAM} refusal
   */
  static boolean streamLost(Optional<Throwable> error) {
    return error.orElse(null) instanceof HandshakeRefusedException refused
        && refused.status() == HandshakeStatus.UNKNOWN_STREAM;
  }

  /**
   * Why a pipe closed, when this stream did not close it itself (its own closes are told with
   * their reason before they happen).
   *
   * @param cause the pipe's cause
   * @param error the failure behind it, if any
   * @param dialing whether this is the {@code connect} side
   * @return the words after the stream's label, for example {@code closed by the other end:
   *     "target unreachable: connection refused"}
   */
  static String closed(DisconnectCause cause, Optional<Throwable> error, boolean dialing) {
    if (cause == DisconnectCause.COMPLETED) {
      return "closed, both directions complete";
    } else if (error.orElse(null) instanceof PeerClosedException peer) {
      return "closed by the other end: " + PeerText.quote(peer.reason());
    } else if (cause == DisconnectCause.REFUSED) {
      return "closed: " + error.map(FailureText::essence).orElse("the server refused it");
    } else if (cause == DisconnectCause.EXPIRED) {
      return dialing ? "closed: this end gave up on it"
          : "expired: the client did not come back within the grace period,"
              + " or the server is stopping";
    } else if (cause == DisconnectCause.DATA_LOSS) {
      return "closed: the two ends' bytes cannot be joined (data lost)";
    } else if (cause == DisconnectCause.PIPE_STOPPED) {
      return "closed: the tunnel stopped";
    } else if (cause == DisconnectCause.CLOSED_BY_USER) {
      return "closed by this end";
    }
    return "closed: " + linkLost(cause, error); // a recoverable cause: not for a close
  }
}
