package io.backedpipe.transport;

import io.backedpipe.PipeException;
import javax.net.ssl.SSLHandshakeException;

/**
 * A connection's TLS layer failed: the peer's certificate was not trusted or did not name the host
 * dialed, the peer refused ours (or our lack of one), the two sides share no protocol or cipher, or
 * a record could not be decrypted. The message says which, in the JDK's words, after
 * {@code TLS handshake failed:} or {@code TLS failed:}.
 *
 * <p>Recoverable: a dialing pipe retries by its policy. A TLS failure is not a statement of the
 * peer we mean to reach (an unverified peer is exactly what failed), so it cannot end the pipe the
 * way a verified peer's permanent refusal does; a captive portal or a certificate being replaced
 * are passing states. Every failed attempt is reported with this cause, so a wrong trust store is
 * seen at once, and the policy's {@code max-attempts} or {@code give-up-after} bounds the retries.
 */
public final class TlsFailedException extends PipeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param cause the JDK's TLS failure
   */
  public TlsFailedException(Throwable cause) {
    super((cause instanceof SSLHandshakeException ? "TLS handshake failed: " : "TLS failed: ")
        + cause.getMessage(), cause);
  }

  @Override
  public boolean isRecoverable() {
    return true;
  }
}
