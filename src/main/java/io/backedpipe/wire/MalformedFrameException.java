package io.backedpipe.wire;

/**
 * Thrown by {@link FrameCodec#decode} for bytes that are not a valid frame. The receiver drops the
 * connection, sending an {@link Frame.Error} with {@link #code()} first when it can.
 *
 * <p>Immutable. The message is {@code key=value} style and never contains payload bytes.
 */
public final class MalformedFrameException extends RuntimeException {
  /** The error to report to the peer. */
  private final ErrorCode code;

  /** The frame's type as read from its header. */
  private final FrameType type;

  /**
   * Creates the exception.
   *
   * @param code the error to report to the peer
   * @param type the frame's type as read from its header; {@link FrameType#UNKNOWN} if unknown or
   *     not read
   * @param detail what is wrong, {@code key=value} style
   */
  public MalformedFrameException(ErrorCode code, FrameType type, String detail) {
    super("code=" + code + " type=" + type + " " + detail);
    this.code = code;
    this.type = type;
  }

  /**
   * The error to report to the peer in an {@link Frame.Error}.
   *
   * @return the error code
   */
  public ErrorCode code() {
    return code;
  }

  /**
   * The frame's type as read from its header.
   *
   * @return the type; {@link FrameType#UNKNOWN} when the code is not assigned or the header is
   *     incomplete
   */
  public FrameType type() {
    return type;
  }
}
