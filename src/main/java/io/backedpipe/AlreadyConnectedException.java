package io.backedpipe;

/** {@code Connect} was sent to a pipe that is already connected; nothing was changed. */
public final class AlreadyConnectedException extends PipeException {
  private static final long serialVersionUID = 1L;

  /** The generation of the connection that is up. */
  private final long generation;

  /**
   * Creates the exception.
   *
   * @param generation the generation of the current connection
   */
  public AlreadyConnectedException(long generation) {
    super("already connected: generation=" + generation, null);
    this.generation = generation;
  }

  /**
   * The generation of the connection that is up.
   *
   * @return the current generation
   */
  public long generation() {
    return generation;
  }

  @Override
  public boolean isRecoverable() {
    return true;
  }
}
