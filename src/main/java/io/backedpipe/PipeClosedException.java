package io.backedpipe;

/**
 * The pipe is closed: the command, write or read cannot be served any more.
 *
 * <p>Reported to every command after {@code Close}, to writes still waiting for window space at the
 * moment of closing, and to Sinks and Sources materialized on a closed pipe.
 */
public final class PipeClosedException extends PipeException {
  private static final long serialVersionUID = 1L;

  /** Why the pipe was closed. */
  private final DisconnectCause closeCause;

  /**
   * Creates the exception.
   *
   * @param closeCause why the pipe was closed
   * @param cause the failure that closed it, or {@code null} for a close by the user
   */
  public PipeClosedException(DisconnectCause closeCause, Throwable cause) {
    super("pipe closed: cause=" + closeCause, cause);
    this.closeCause = closeCause;
  }

  /**
   * Why the pipe was closed.
   *
   * @return the cause recorded when the pipe entered {@code closed}
   */
  public DisconnectCause closeCause() {
    return closeCause;
  }

  @Override
  public boolean isRecoverable() {
    return false;
  }
}
