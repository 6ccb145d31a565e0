package io.backedpipe;

/**
 * Data loss detected: the peer asked to resume from a position whose bytes this side no longer
 * holds (the peer had already acknowledged them). The pipe never splices; it fails instead.
 */
public final class ReplayUnavailableException extends PipeException {
  private static final long serialVersionUID = 1L;

  /** The position the peer asked to resume from. */
  private final long requestedPosition;

  /** The oldest position still held in the replay window. */
  private final long heldFromPosition;

  /** The position after the newest byte written. */
  private final long writePosition;

  /**
   * Creates the exception.
   *
   * @param requestedPosition the position the peer asked for
   * @param heldFromPosition the oldest position still held
   * @param writePosition the position after the newest byte written
   */
  public ReplayUnavailableException(
      long requestedPosition, long heldFromPosition, long writePosition) {
    super(
        "replay unavailable: requestedPosition=" + requestedPosition
            + " missing=[" + requestedPosition + "," + heldFromPosition + ")"
            + " held=[" + heldFromPosition + "," + writePosition + ")",
        null);
    this.requestedPosition = requestedPosition;
    this.heldFromPosition = heldFromPosition;
    this.writePosition = writePosition;
  }

  /**
   * The position the peer asked to resume from.
   *
   * @return the requested position
   */
  public long requestedPosition() {
    return requestedPosition;
  }

  /**
   * The oldest position still held; bytes {@code [requestedPosition, heldFromPosition)} are gone.
   *
   * @return the first held position
   */
  public long heldFromPosition() {
    return heldFromPosition;
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
