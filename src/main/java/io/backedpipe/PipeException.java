package io.backedpipe;

/**
 * Root of every failure that a backed pipe reports to its user.
 *
 * <p>Subclasses are immutable and carry the facts of the failure as fields; their messages are
 * {@code key=value} style so that logs can be searched. Expected conditions (a closed pipe, a peer
 * asking for bytes that are gone) are reported with these types as replies or stream failures; they
 * are never thrown across actor boundaries.
 */
public abstract class PipeException extends RuntimeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates an exception.
   *
   * @param message the {@code key=value} message
   * @param cause the underlying cause, or {@code null}
   */
  protected PipeException(String message, Throwable cause) {
    super(message, cause);
  }

  /**
   * Tells whether the pipe can go on after this failure by making a new connection.
   *
   * @return {@code true} when a reconnect may cure the failure
   */
  public abstract boolean isRecoverable();

  /**
   * Tells whether this failure is the peer's word that the stream already ended cleanly on its
   * side (a server that finished the stream and remembers it): the pipe then closes as
   * {@link DisconnectCause#COMPLETED} instead of failing.
   *
   * @return {@code true} for such an answer; {@code false} by default
   */
  public boolean meansStreamCompleted() {
    return false;
  }
}
