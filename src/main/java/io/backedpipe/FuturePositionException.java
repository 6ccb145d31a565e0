package io.backedpipe;

/**
 * The peer claims to have read beyond what this side ever wrote: its history differs from ours.
 * The connection is refused and nothing is replayed.
 */
public final class FuturePositionException extends PipeException {
  private static final long serialVersionUID = 1L;

  /** The position the peer claimed. */
  private final long requestedPosition;

  /** The position after the newest byte this side wrote. */
  private final long writePosition;

  /**
   * Creates the exception.
   *
   * @param requestedPosition the position the peer claimed
   * @param writePosition the position after the newest byte written
   */
  public FuturePositionException(long requestedPosition, long writePosition) {
    super(
        "future position: requestedPosition=" + requestedPosition
            + " writePosition=" + writePosition,
        null);
    this.requestedPosition = requestedPosition;
    this.writePosition = writePosition;
  }

  /**
   * The position the peer claimed.
   *
   * @return the requested position
   */
  public long requestedPosition() {
    return requestedPosition;
  }

  /**
   * The position after the newest byte written.
   *
   * @return the write position
   */
  public long writePosition() {
    return writePosition;
  }

  @Override
  public boolean isRecoverable() {
    return false;
  }
}
