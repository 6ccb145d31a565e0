package io.backedpipe;

import io.backedpipe.wire.PeerText;

/**
 * The peer closed its pipe before the end of the stream and said why (a {@code CLOSE} frame with a
 * non-zero code). The local pipe closes too, as {@link DisconnectCause#CLOSED_BY_PEER}; bytes the
 * peer had not acknowledged are lost with it, so a Source still reading fails with this as the
 * cause of its {@link PipeClosedException}.
 */
public final class PeerClosedException extends PipeException {
  private static final long serialVersionUID = 1L;

  private final int code;
  private final String reason;

  /**
   * Creates the error.
   *
   * @param code the peer's code, {@code 1..65535}
   * @param reason the peer's reason
   */
  public PeerClosedException(int code, String reason) {
    super("peer closed the pipe: code=" + code + " reason=" + PeerText.quote(reason), null);
    this.code = code;
    this.reason = reason;
  }

  /**
   * The peer's code.
   *
   * @return the code
   */
  public int code() {
    return code;
  }

  /**
   * The peer's reason.
   *
   * @return the reason
   */
  public String reason() {
    return reason;
  }

  @Override
  public boolean isRecoverable() {
    return false;
  }
}
