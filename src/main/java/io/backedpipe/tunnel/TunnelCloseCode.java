package io.backedpipe.tunnel;

/**
 * Why one end of a tunnel ended something early: the code of a stream's {@code RESET} (which the
 * other end logs with the reason and answers by resetting its own TCP connection), or of the
 * {@code CLOSE} that ends the tunnel's pipe and every stream on it ({@link #TUNNEL_STOPPED},
 * {@link #TUNNEL_PROTOCOL}).
 */
public enum TunnelCloseCode {
  /** The target could not be reached (refused, unknown host, timed out). */
  TARGET_UNREACHABLE(16),
  /** The target's connection failed (a reset) after it was open. */
  TARGET_FAILED(17),
  /** The local application's connection failed (a reset). */
  LOCAL_FAILED(18),
  /** The tunnel on that side is shutting down. */
  TUNNEL_STOPPED(19),
  /** The other end broke the tunnel's stream multiplexing ({@code MuxProtocolException}). */
  TUNNEL_PROTOCOL(20),
  /** A stream beyond the most one tunnel connection carries ({@code max-streams}). */
  STREAM_LIMIT(21);

  private final int code;

  TunnelCloseCode(int code) {
    this.code = code;
  }

  /**
   * The code on the wire.
   *
   * @return the code, {@code 16..21}
   */
  public int code() {
    return code;
  }
}
