package io.backedpipe.transport;

import io.backedpipe.PipeException;
import io.backedpipe.wire.HandshakeStatus;
import io.backedpipe.wire.PeerText;

/**
 * The peer answered the handshake with a status other than {@code OK}. Permanent statuses (unknown
 * stream, not authorized, unsupported version, bad position, history mismatch) end the pipe; the
 * others (limit reached) are retried by the reconnect policy. A client with a shared secret raises
 * it only for a {@code WELCOME} whose proof it verified ({@link UnprovenServerException}
 * otherwise), or when the server requires a secret and the client has none ({@code NOT_AUTHORIZED}
 * without a {@code WELCOME}).
 */
public final class HandshakeRefusedException extends PipeException {
  private static final long serialVersionUID = 1L;

  /** The peer's answer. */
  private final HandshakeStatus status;

  /**
   * Creates the exception.
   *
   * @param status the peer's answer
   * @param detail the peer's explanation, possibly empty
   */
  public HandshakeRefusedException(HandshakeStatus status, String detail) {
    super("handshake refused: status=" + status + " detail=" + PeerText.quote(detail), null);
    this.status = status;
  }

  /**
   * The peer's answer.
   *
   * @return the status
   */
  public HandshakeStatus status() {
    return status;
  }

  @Override
  public boolean isRecoverable() {
    return !status.isPermanent();
  }

  @Override
  public boolean meansStreamCompleted() {
    return status == HandshakeStatus.COMPLETED;
  }
}
