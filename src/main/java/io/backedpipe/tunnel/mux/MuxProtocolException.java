package io.backedpipe.tunnel.mux;

/**
 * The other end of a tunnel broke the multiplexing protocol: a malformed frame, a stream id that
 * was never opened, bytes beyond the credit it was given. Nothing sensible can follow on that
 * connection, so the tunnel closes it with the message as the reason; the streams it carried are
 * reset.
 */
public final class MuxProtocolException extends Exception {
  private static final long serialVersionUID = 1L;

  /**
   * Creates the error.
   *
   * @param message what was wrong, in words for a log
   */
  public MuxProtocolException(String message) {
    super(message);
  }
}
