package io.backedpipe;

/**
 * A write arrived after this side's output was ended (a write Sink completed, which sends
 * end-of-stream). The write is refused; bytes accepted before the end are still delivered.
 */
public final class OutputEndedException extends PipeException {
  private static final long serialVersionUID = 1L;

  /** The position at which the output ended. */
  private final long endPosition;

  /**
   * Creates the exception.
   *
   * @param endPosition the position of the end-of-stream
   */
  public OutputEndedException(long endPosition) {
    super("output ended: endPosition=" + endPosition, null);
    this.endPosition = endPosition;
  }

  /**
   * The position of the end-of-stream.
   *
   * @return the end position
   */
  public long endPosition() {
    return endPosition;
  }

  @Override
  public boolean isRecoverable() {
    return false;
  }
}
