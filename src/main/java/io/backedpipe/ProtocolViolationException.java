package io.backedpipe;

/**
 * The peer sent something impossible on a connection (an acknowledgement beyond what was written,
 * data after its end-of-stream, an end-of-stream at the wrong position). That connection is
 * dropped; the pipe's accepted data is untouched and it reconnects.
 */
public final class ProtocolViolationException extends PipeException {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the exception.
   *
   * @param detail what was violated, as {@code key=value} pairs
   */
  public ProtocolViolationException(String detail) {
    super("protocol violation: " + detail, null);
  }

  @Override
  public boolean isRecoverable() {
    return true;
  }
}
