package io.backedpipe.wire;

/**
 * Why a side drops a connection: the code of an {@link Frame.Error} frame and of a {@link
 * MalformedFrameException}.
 *
 * <p>Codes are two bytes, unsigned. {@link #fromCode} answers {@link #UNKNOWN} for a code not
 * listed here, so a receiver can read an error frame from a newer peer; {@link #UNKNOWN} itself is
 * sent as {@code 0xFFFF}, a code that is never assigned.
 */
public enum ErrorCode {
  /** The peer sent something the protocol does not allow (a malformed or unexpected frame). */
  PROTOCOL_VIOLATION(1),
  /** A frame's length exceeded the receiver's limit. */
  FRAME_TOO_LARGE(2),
  /** A frame's type code is not one this side knows. */
  UNKNOWN_FRAME_TYPE(3),
  /** The handshake did not complete in time. */
  HANDSHAKE_TIMEOUT(4),
  /** Nothing arrived from the peer for longer than the heartbeat allows. */
  HEARTBEAT_TIMEOUT(5),
  /** The sender failed internally. */
  INTERNAL(6),
  /** A code this side does not know; sent as {@code 0xFFFF}. */
  UNKNOWN(-1);

  private final int code;

  ErrorCode(int code) {
    this.code = code;
  }

  /**
   * The wire code of this error.
   *
   * @return {@code 1..65534}, or {@code -1} for {@link #UNKNOWN}
   */
  public int code() {
    return code;
  }

  /**
   * The error with the given wire code.
   *
   * @param code a wire code
   * @return the error, or {@link #UNKNOWN} for a code that is not assigned; never {@code null}
   */
  public static ErrorCode fromCode(int code) {
    for (ErrorCode error : values()) {
      if (error.code == code && code >= 0) {
        return error;
      }
    }
    return UNKNOWN;
  }
}
