package io.backedpipe.tunnel;

/**
 * Why one end of a tunnel closed its pipe early: the code of the {@code CLOSE} frame, which the other
 * end logs with the reason and answers by closing its own TCP connection.
 */
public enum TunnelCloseCode {
  /** The target could not be reached (refused, unknown host, timed out). */
  TARGET_UNREACHABLE(16),
  /** The target's connection failed (a reset) after it was open. */
  TARGET_FAILED(17),
  /** The local application's connection failed (a reset). */
  LOCAL_FAILED(18),
  /** The tunnel on that side is shutting down. */
  TUNNEL_STOPPED(19);

  private final int code;

  TunnelCloseCode(int code) {
    this.code = code;
  }

  /**
   * The code on the wire.
   *
   * @return the code, {@code 16..19}
   */
  public int code() {
    return code;
  }
}
