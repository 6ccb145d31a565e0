package io.backedpipe.transport;

import io.backedpipe.PipeException;
import io.backedpipe.wire.HandshakeStatus;

/**
 * The peer's {@code WELCOME} did not prove the shared secret this side holds, so nothing in it can
 * be trusted: it may come from anyone between the two ends (a captive portal, a hostile hotspot)
 * as well as from a server with another secret or none. It is never taken as the server's word:
 * an {@code OK} is not attached (its bytes could be anyone's) and a permanent refusal ({@code
 * UNKNOWN_STREAM}, {@code COMPLETED}, {@code NOT_AUTHORIZED}...) does not end the pipe.
 *
 * <p>Recoverable: a dialing pipe retries by its policy, whose {@code max-attempts} or {@code
 * give-up-after} bounds the retries (the tool sets {@code give-up-after} to the server's grace
 * period, after which the server has forgotten the stream anyway). Every failed attempt is
 * reported with this cause, so a client whose secret differs from the server's is seen at once.
 */
public final class UnprovenServerException extends PipeException {
  private static final long serialVersionUID = 1L;

  /** What the WELCOME claimed. */
  private final HandshakeStatus status;
  /** Why its proof failed. */
  private final String reason;

  /**
   * Creates the exception.
   *
   * @param status what the WELCOME claimed
   * @param detail the WELCOME's detail, possibly empty
   * @param reason why its proof failed, for the log
   */
  public UnprovenServerException(HandshakeStatus status, String detail, String reason) {
    super("WELCOME not proven: " + reason + "; treating status=" + status + " detail=" + detail
        + " as a failed attempt", null);
    this.status = status;
    this.reason = reason;
  }

  /**
   * What the unproven WELCOME claimed; not to be acted on.
   *
   * @return the status
   */
  public HandshakeStatus status() {
    return status;
  }

  /**
   * Why the WELCOME's proof failed.
   *
   * @return the reason
   */
  public String reason() {
    return reason;
  }

  @Override
  public boolean isRecoverable() {
    return true;
  }
}
