package io.backedpipe;

/**
 * A second read Source was materialized while another one is still reading. A pipe has one
 * ordered input stream; a new Source may be opened after the previous one is cancelled.
 */
public final class SourceAlreadyOpenException extends PipeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public SourceAlreadyOpenException() {
    super("source already open: readers=1", null);
  }

  @Override
  public boolean isRecoverable() {
    return true;
  }
}
