package io.backedpipe;

/**
 * A second write Sink was materialized while another one is still writing. A pipe has one ordered
 * output stream, and two writers would interleave their bytes at arbitrary points; a new Sink may
 * be opened once the previous one has stopped. To merge several producers on purpose, put a
 * {@code MergeHub} (or a {@code merge}) in front of one Sink.
 */
public final class SinkAlreadyOpenException extends PipeException {
  private static final long serialVersionUID = 1L;

  /** Creates the exception. */
  public SinkAlreadyOpenException() {
    super("sink already open: writers=1", null);
  }

  @Override
  public boolean isRecoverable() {
    return true;
  }
}
