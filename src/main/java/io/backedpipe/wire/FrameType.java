package io.backedpipe.wire;

/**
 * The kinds of frame, each with the code that identifies it in the first byte of a frame header.
 *
 * <p>Codes are one unsigned byte: the stream, heartbeat and ending frames from {@code 0x01}, the
 * handshake frames from {@code 0x10}. {@link #fromCode} answers {@link #UNKNOWN} for any code not
 * listed here; a receiver treats such a frame as {@link ErrorCode#UNKNOWN_FRAME_TYPE}.
 */
public enum FrameType {
  /** {@link Frame.Data}: stream bytes. */
  DATA(0x01),
  /** {@link Frame.Ack}: the receiver's read position. */
  ACK(0x02),
  /** {@link Frame.Ping}: heartbeat request. */
  PING(0x03),
  /** {@link Frame.Pong}: heartbeat answer. */
  PONG(0x04),
  /** {@link Frame.EndOfStream}: the sender's stream ends. */
  END_OF_STREAM(0x05),
  /** {@link Frame.Close}: the sender closed its pipe for good. */
  CLOSE(0x06),
  /** {@link Frame.Error}: the sender drops the connection. */
  ERROR(0x07),
  /** {@link Frame.Challenge}: the server's first handshake frame. */
  CHALLENGE(0x10),
  /** {@link Frame.Hello}: the client's handshake frame. */
  HELLO(0x11),
  /** {@link Frame.Welcome}: the server's handshake verdict. */
  WELCOME(0x12),
  /** Any code not assigned above; never encoded. */
  UNKNOWN(-1);

  private static final FrameType[] BY_CODE = new FrameType[256];

  static {
    for (FrameType type : values()) {
      if (type.code >= 0) {
        BY_CODE[type.code] = type;
      }
    }
  }

  private final int code;

  FrameType(int code) {
    this.code = code;
  }

  /**
   * The wire code of this type.
   *
   * @return {@code 0x01..0xFF}, or {@code -1} for {@link #UNKNOWN}
   */
  public int code() {
    return code;
  }

  /**
   * The type with the given wire code.
   *
   * @param code a wire code, normally the unsigned value of a header's first byte
   * @return the type, or {@link #UNKNOWN} for a code that is not assigned; never {@code null}
   */
  public static FrameType fromCode(int code) {
    FrameType type = code >= 0 && code < BY_CODE.length ? BY_CODE[code] : UNKNOWN;
    return type == null ? UNKNOWN : type;
  }

  /**
   * The type of a frame.
   *
   * @param frame a frame
   * @return its type; never {@link #UNKNOWN}
   */
  public static FrameType of(Frame frame) {
    if (frame instanceof Frame.Data) {
      return DATA;
    } else if (frame instanceof Frame.Ack) {
      return ACK;
    } else if (frame instanceof Frame.Ping) {
      return PING;
    } else if (frame instanceof Frame.Pong) {
      return PONG;
    } else if (frame instanceof Frame.EndOfStream) {
      return END_OF_STREAM;
    } else if (frame instanceof Frame.Close) {
      return CLOSE;
    } else if (frame instanceof Frame.Error) {
      return ERROR;
    } else if (frame instanceof Frame.Challenge) {
      return CHALLENGE;
    } else if (frame instanceof Frame.Hello) {
      return HELLO;
    } else if (frame instanceof Frame.Welcome) {
      return WELCOME;
    }
    throw new IllegalArgumentException("frame=" + frame + " has no type");
  }
}
