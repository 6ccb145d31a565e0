package io.backedpipe.transport;

import io.backedpipe.PipeException;
import io.backedpipe.wire.HumanText;
import java.time.Duration;

/**
 * No byte arrived on a connection for the heartbeat timeout: the link is dead or blackholed (a
 * laptop asleep, a Wi-Fi change, a middlebox that dropped the connection without a reset). Any
 * byte counts, data or heartbeat, and so does part of a frame, so a slow link that keeps moving
 * bytes never ends up here.
 *
 * <p>Recoverable: a dialing pipe reconnects by its policy.
 */
public final class LinkSilentException extends PipeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param timeout the heartbeat timeout that passed without a byte
   */
  public LinkSilentException(Duration timeout) {
    super("no byte received for " + HumanText.duration(timeout) + " (heartbeat-timeout)", null);
  }

  @Override
  public boolean isRecoverable() {
    return true;
  }
}
