package io.backedpipe.transport;

import io.backedpipe.PipeException;

/**
 * A handshake did not complete: it timed out, the connection closed during it, or the peer sent
 * something other than the next handshake frame. That connection is dropped; a dialing pipe tries
 * again by its policy.
 */
public final class HandshakeFailedException extends PipeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param detail what went wrong, as {@code key=value} pairs
   * @param cause the underlying failure, or {@code null}
   */
  public HandshakeFailedException(String detail, Throwable cause) {
    super("handshake failed: " + detail + (cause == null ? "" : " cause=" + cause), cause);
  }

  @Override
  public boolean isRecoverable() {
    return true;
  }
}
