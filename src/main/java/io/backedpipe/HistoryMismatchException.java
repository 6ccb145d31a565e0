package io.backedpipe;

/**
 * The peer's check of the bytes just before its read position does not match what this side
 * wrote there: the two sides' histories differ (a peer restarted with another stream under the
 * same id, say). The connection is refused and nothing is spliced.
 */
public final class HistoryMismatchException extends PipeException {
  private static final long serialVersionUID = 1L;

  /** The position whose history was checked. */
  private final long position;

  /**
   * Creates the exception.
   *
   * @param position the position whose history was checked
   * @param expected the check of the bytes this side wrote before it
   * @param actual the check the peer sent
   */
  public HistoryMismatchException(long position, int expected, int actual) {
    super("history mismatch: position=" + position + " expectedCheck="
        + Integer.toHexString(expected) + " peerCheck=" + Integer.toHexString(actual), null);
    this.position = position;
  }

  /**
   * The position whose history was checked.
   *
   * @return the position
   */
  public long position() {
    return position;
  }

  @Override
  public boolean isRecoverable() {
    return false;
  }
}
