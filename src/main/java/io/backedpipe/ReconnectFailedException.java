package io.backedpipe;

/**
 * One reconnect attempt failed: the {@link Reconnector} failed or timed out, or the new connection
 * died before it was attached. The cause is kept.
 */
public final class ReconnectFailedException extends PipeException {
  private static final long serialVersionUID = 1L;

  /** The number of the failed attempt, counted from 1 since the last successful connect. */
  private final int attempt;

  /**
   * Creates the exception.
   *
   * @param attempt the number of the failed attempt (1 is the first after a disconnect)
   * @param detail what failed, in a few words
   * @param cause the underlying failure, or {@code null}
   */
  public ReconnectFailedException(int attempt, String detail, Throwable cause) {
    super(
        "reconnect failed: attempt=" + attempt + " detail=" + detail
            + (cause == null ? "" : " cause=" + cause),
        cause);
    this.attempt = attempt;
  }

  /**
   * The number of the failed attempt.
   *
   * @return the attempt number, from 1
   */
  public int attempt() {
    return attempt;
  }

  @Override
  public boolean isRecoverable() {
    return true;
  }
}
