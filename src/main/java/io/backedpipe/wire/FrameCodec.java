package io.backedpipe.wire;

import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.util.UUID;
import java.util.function.Supplier;
import org.apache.pekko.util.ByteIterator;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Encodes {@link Frame}s to bytes and decodes them back, in the layout of the package
 * documentation.
 *
 * <p>Immutable and stateless, so thread-safe; one instance per connection or per process. {@link
 * #decode} takes exactly one frame as cut by {@code FrameDecoder} (length at offset 1, big-endian)
 * (see {@link WireProtocol}), returns payloads as slices of its argument without copying, and
 * throws {@link MalformedFrameException} for anything the protocol does not allow. {@link #encode}
 * builds each frame with one builder whose payload bytes are appended, not copied.
 *
 * <pre>{@code
 * FrameCodec codec = new FrameCodec(256 * 1024);
 * ByteString bytes = codec.encode(new Frame.Ack(17));
 * Frame frame = codec.decode(bytes); // Ack[position=17]
 * }</pre>
 */
public final class FrameCodec {
  /** Bytes before every payload: type (1) and length (4). */
  public static final int HEADER_BYTES = 5;

  /**
   * The protocol version this codec speaks: 2 since HELLO and WELCOME carry each side's {@link
   * LinkLimits} (version 1 had none).
   */
  public static final int PROTOCOL_VERSION = 2;

  /**
   * The largest DATA payload the protocol allows, whatever a side's own frame size: a receiver
   * never buffers a DATA payload ({@code FrameDecoder} hands its parts on as they arrive), so the
   * bound costs no memory; each side sends at most the smaller of its own {@code max-frame-bytes}
   * and what its peer announced in the handshake.
   */
  public static final int MAX_DATA_BYTES = 16 * 1024 * 1024;

  /** The magic number that opens the handshake frames: {@code "BPIP"} in ASCII. */
  public static final int MAGIC = 0x42504950;

  /** The largest payload of any frame but DATA: a CLOSE or ERROR with the longest text. */
  public static final int MAX_CONTROL_PAYLOAD_BYTES = 2 + Frame.Close.MAX_REASON_BYTES;

  private static final ByteOrder ORDER = ByteOrder.BIG_ENDIAN;
  private static final int LONG_PAYLOAD_BYTES = 8;
  private static final int TEXT_CODE_BYTES = 2;
  private static final int CHALLENGE_BYTES = 4 + 2 + 2 + Frame.Challenge.NONCE_BYTES;
  /** Max data (4), window (8) and read buffer (8), in HELLO and WELCOME. */
  private static final int LIMITS_BYTES = 4 + 8 + 8;
  private static final int HELLO_FIXED_BYTES =
      4 + 2 + 2 + 16 + 8 + 4 + LIMITS_BYTES + Frame.Hello.NONCE_BYTES + 1;
  /** Status to limits, then the detail's length (2) and the proof's (1). */
  private static final int WELCOME_FIXED_BYTES = 1 + 8 + 4 + 8 + LIMITS_BYTES + 2 + 1;
  private static final int HELLO_FLAG_CREATE = 0x0001;
  private static final int CHALLENGE_FLAG_PROOF_REQUIRED = 0x0001;

  private final int maxDataBytes;
  private final int maxFramePayloadBytes;

  /**
   * Creates a codec.
   *
   * @param maxDataBytes the largest DATA payload this side sends or accepts, at least 1
   * @throws IllegalArgumentException if the limit is below 1 or a frame would not fit an int
   */
  public FrameCodec(int maxDataBytes) {
    this.maxFramePayloadBytes = maxFrameBytes(maxDataBytes) - HEADER_BYTES;
    this.maxDataBytes = maxDataBytes;
  }

  /**
   * The largest frame, header included, for a given DATA limit: the {@code maximumFrameLength} of
   * the framing stage.
   *
   * @param maxDataBytes the largest DATA payload, at least 1
   * @return {@code 5 + max(maxDataBytes, }{@value #MAX_CONTROL_PAYLOAD_BYTES}{@code )}
   * @throws IllegalArgumentException if the limit is below 1 or the result would not fit an int
   */
  public static int maxFrameBytes(int maxDataBytes) {
    long frame = HEADER_BYTES + (long) Math.max(maxDataBytes, MAX_CONTROL_PAYLOAD_BYTES);
    if (maxDataBytes < 1 || frame > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(
          "maxDataBytes="
              + maxDataBytes
              + " must be in [1,"
              + (Integer.MAX_VALUE - HEADER_BYTES)
              + "]");
    }
    return (int) frame;
  }

  /**
   * The largest DATA payload.
   *
   * @return the limit given at construction
   */
  public int maxDataBytes() {
    return maxDataBytes;
  }

  /**
   * Encodes one frame, header included.
   *
   * @param frame the frame
   * @return its bytes; a DATA payload is referenced, not copied
   * @throws IllegalArgumentException if a DATA payload exceeds {@link #maxDataBytes()} or an ACK or
   *     END_OF_STREAM position is negative
   */
  public ByteString encode(Frame frame) {
    if (frame instanceof Frame.Data data) {
      return encodeData(data);
    } else if (frame instanceof Frame.Ack ack) {
      return encodeAck(ack);
    } else if (frame instanceof Frame.Ping ping) {
      return encodePing(ping);
    } else if (frame instanceof Frame.Pong pong) {
      return encodePong(pong);
    } else if (frame instanceof Frame.EndOfStream end) {
      return encodeEndOfStream(end);
    } else if (frame instanceof Frame.Close close) {
      return encodeClose(close);
    } else if (frame instanceof Frame.Error error) {
      return encodeError(error);
    } else if (frame instanceof Frame.Challenge challenge) {
      return encodeChallenge(challenge);
    } else if (frame instanceof Frame.Hello hello) {
      return encodeHello(hello);
    } else if (frame instanceof Frame.Welcome welcome) {
      return encodeWelcome(welcome);
    }
    throw new IllegalArgumentException("frame=" + frame + " has no encoding");
  }

  private ByteString encodeData(Frame.Data data) {
    ByteStringBuilder b = header(ByteString.newBuilder(), FrameType.DATA, data.payload().size());
    return b.append(data.payload()).result();
  }

  private ByteString encodeAck(Frame.Ack ack) {
    return encodePosition(FrameType.ACK, ack.position());
  }

  private ByteString encodeEndOfStream(Frame.EndOfStream end) {
    return encodePosition(FrameType.END_OF_STREAM, end.position());
  }

  private ByteString encodePosition(FrameType type, long position) {
    if (position < 0) {
      throw new IllegalArgumentException("position=" + position + " must be >= 0: type=" + type);
    }
    return header(ByteString.newBuilder(), type, LONG_PAYLOAD_BYTES)
        .putLong(position, ORDER)
        .result();
  }

  private ByteString encodePing(Frame.Ping ping) {
    return header(ByteString.newBuilder(), FrameType.PING, LONG_PAYLOAD_BYTES)
        .putLong(ping.nonce(), ORDER)
        .result();
  }

  private ByteString encodePong(Frame.Pong pong) {
    return header(ByteString.newBuilder(), FrameType.PONG, LONG_PAYLOAD_BYTES)
        .putLong(pong.nonce(), ORDER)
        .result();
  }

  private ByteString encodeClose(Frame.Close close) {
    ByteString reason = Checks.utf8("reason", close.reason(), Frame.Close.MAX_REASON_BYTES);
    return header(ByteString.newBuilder(), FrameType.CLOSE, TEXT_CODE_BYTES + reason.size())
        .putShort(close.code(), ORDER)
        .append(reason)
        .result();
  }

  private ByteString encodeError(Frame.Error error) {
    ByteString message = Checks.utf8("message", error.message(), Frame.Error.MAX_MESSAGE_BYTES);
    return header(ByteString.newBuilder(), FrameType.ERROR, TEXT_CODE_BYTES + message.size())
        .putShort(error.code().code(), ORDER) // UNKNOWN's -1 goes out as 0xFFFF
        .append(message)
        .result();
  }

  private ByteString encodeChallenge(Frame.Challenge challenge) {
    return header(ByteString.newBuilder(), FrameType.CHALLENGE, CHALLENGE_BYTES)
        .putInt(MAGIC, ORDER)
        .putShort(challenge.version(), ORDER)
        .putShort(challenge.proofRequired() ? CHALLENGE_FLAG_PROOF_REQUIRED : 0, ORDER)
        .append(challenge.nonce())
        .result();
  }

  private ByteString encodeHello(Frame.Hello hello) {
    int length = HELLO_FIXED_BYTES + hello.proof().size();
    return header(ByteString.newBuilder(), FrameType.HELLO, length)
        .putInt(MAGIC, ORDER)
        .putShort(hello.version(), ORDER)
        .putShort(hello.create() ? HELLO_FLAG_CREATE : 0, ORDER)
        .putLong(hello.streamId().getMostSignificantBits(), ORDER)
        .putLong(hello.streamId().getLeastSignificantBits(), ORDER)
        .putLong(hello.readPosition(), ORDER)
        .putInt(hello.historyCheck(), ORDER)
        .putInt(hello.limits().maxDataBytes(), ORDER)
        .putLong(hello.limits().windowBytes(), ORDER)
        .putLong(hello.limits().readBufferBytes(), ORDER)
        .append(hello.nonce())
        .putByte((byte) hello.proof().size())
        .append(hello.proof())
        .result();
  }

  private ByteString encodeWelcome(Frame.Welcome welcome) {
    ByteString detail = Checks.utf8("detail", welcome.detail(), Frame.Welcome.MAX_DETAIL_BYTES);
    int length = WELCOME_FIXED_BYTES + detail.size() + welcome.proof().size();
    return header(ByteString.newBuilder(), FrameType.WELCOME, length)
        .putByte((byte) welcome.status().code()) // UNKNOWN's -1 goes out as 0xFF
        .putLong(welcome.readPosition(), ORDER)
        .putInt(welcome.historyCheck(), ORDER)
        .putLong(welcome.gracePeriodMillis(), ORDER)
        .putInt(welcome.limits().maxDataBytes(), ORDER)
        .putLong(welcome.limits().windowBytes(), ORDER)
        .putLong(welcome.limits().readBufferBytes(), ORDER)
        .putShort(detail.size(), ORDER)
        .putByte((byte) welcome.proof().size())
        .append(detail)
        .append(welcome.proof())
        .result();
  }

  /** The one header writer: every frame's length is checked against its type's limit here. */
  private ByteStringBuilder header(ByteStringBuilder builder, FrameType type, int length) {
    int limit = maxPayloadBytes(type);
    if (length < 0 || length > limit) {
      throw new IllegalArgumentException(
          "length=" + length + " must be in [0," + limit + "]: type=" + type);
    }
    return builder.putByte((byte) type.code()).putInt(length, ORDER);
  }

  private int maxPayloadBytes(FrameType type) {
    return switch (type) {
      case DATA -> maxDataBytes;
      case ACK, END_OF_STREAM, PING, PONG -> LONG_PAYLOAD_BYTES;
      case CLOSE, ERROR -> MAX_CONTROL_PAYLOAD_BYTES;
      case CHALLENGE -> CHALLENGE_BYTES;
      case HELLO -> HELLO_FIXED_BYTES + Frame.Hello.MAX_PROOF_BYTES;
      case WELCOME ->
          WELCOME_FIXED_BYTES + Frame.Welcome.MAX_DETAIL_BYTES + Frame.Welcome.MAX_PROOF_BYTES;
      case UNKNOWN -> throw new IllegalArgumentException("type=UNKNOWN cannot be encoded");
    };
  }

  /**
   * Decodes exactly one frame, header included.
   *
   * <p>Checks in this order: a frame shorter than its header is {@link
   * ErrorCode#PROTOCOL_VIOLATION}; a length with the top bit set or above {@code max(maxDataBytes,
   * }{@value #MAX_CONTROL_PAYLOAD_BYTES}{@code )}, whatever the type, is {@link
   * ErrorCode#FRAME_TOO_LARGE}; a type code that is not assigned is {@link
   * ErrorCode#UNKNOWN_FRAME_TYPE}; a DATA length above {@link #maxDataBytes()} is {@link
   * ErrorCode#FRAME_TOO_LARGE}; everything else wrong is {@link ErrorCode#PROTOCOL_VIOLATION}.
   *
   * @param frame one frame: the 5-byte header and exactly {@code length} payload bytes
   * @return the frame; DATA payloads, nonces and proofs are slices of {@code frame}
   * @throws MalformedFrameException if the bytes are not a valid frame
   */
  public Frame decode(ByteString frame) {
    if (frame.size() < HEADER_BYTES) {
      throw malformed(FrameType.UNKNOWN, "size=" + frame.size() + " must be >= " + HEADER_BYTES);
    }
    ByteIterator in = frame.iterator();
    int code = in.getByte() & 0xFF;
    FrameType type = FrameType.fromCode(code);
    int length = in.getInt(ORDER);
    checkHeader(type, code, length);
    if (length != frame.size() - HEADER_BYTES) {
      throw malformed(
          type, "length=" + length + " but payload.size=" + (frame.size() - HEADER_BYTES));
    }
    ByteString payload = frame.drop(HEADER_BYTES);
    return switch (type) {
      case DATA -> decodeData(payload);
      case ACK -> new Frame.Ack(position(type, payload));
      case END_OF_STREAM -> new Frame.EndOfStream(position(type, payload));
      case PING -> new Frame.Ping(long8(type, payload));
      case PONG -> new Frame.Pong(long8(type, payload));
      case CLOSE -> decodeClose(payload);
      case ERROR -> decodeError(payload);
      case CHALLENGE -> decodeChallenge(payload);
      case HELLO -> decodeHello(payload);
      case WELCOME -> decodeWelcome(payload);
      case UNKNOWN -> throw new IllegalStateException("type=UNKNOWN was rejected above");
    };
  }

  /**
   * Checks what a header alone tells, so that a receiver can refuse a frame before buffering its
   * payload: the length against the limit of its type, and the type code.
   *
   * @param type the type of {@code code}
   * @param code the type code as received
   * @param length the length field as received
   * @throws MalformedFrameException {@link ErrorCode#FRAME_TOO_LARGE} for a length with the top bit
   *     set or above the DATA limit (DATA) or the largest control payload (others); {@link
   *     ErrorCode#UNKNOWN_FRAME_TYPE} for an unassigned code
   */
  void checkHeader(FrameType type, int code, int length) {
    int limit = type == FrameType.DATA ? maxDataBytes : maxFramePayloadBytes;
    if (Integer.toUnsignedLong(length) > limit) { // as the framing stage does, before the type
      throw new MalformedFrameException(
          ErrorCode.FRAME_TOO_LARGE,
          type,
          "length=" + Integer.toUnsignedString(length) + " must be <= " + limit);
    }
    if (type == FrameType.UNKNOWN) {
      throw new MalformedFrameException(
          ErrorCode.UNKNOWN_FRAME_TYPE, type, String.format("typeCode=0x%02x", code));
    }
  }

  /**
   * Checks, beyond {@link #checkHeader}, what a receiver that does not want to buffer a frame
   * needs to know before its payload: a DATA frame is not empty, and a control frame is no longer
   * than its type allows.
   *
   * @param type the frame's type, not {@link FrameType#UNKNOWN}
   * @param length the length field, already checked by {@link #checkHeader}
   * @throws MalformedFrameException {@link ErrorCode#PROTOCOL_VIOLATION} if not
   */
  void checkBeforePayload(FrameType type, int length) {
    if (type == FrameType.DATA && length == 0) {
      throw malformed(FrameType.DATA, "length=0 must be >= 1");
    }
    if (type != FrameType.DATA && length > maxPayloadBytes(type)) {
      boolean fixed = switch (type) {
        case ACK, END_OF_STREAM, PING, PONG, CHALLENGE -> true;
        default -> false;
      };
      throw malformed(type,
          "length=" + length + (fixed ? " must be " : " must be <= ") + maxPayloadBytes(type));
    }
  }

  private static Frame decodeData(ByteString payload) {
    if (payload.isEmpty()) {
      throw malformed(FrameType.DATA, "length=0 must be >= 1");
    }
    return new Frame.Data(payload);
  }

  private static long long8(FrameType type, ByteString payload) {
    requireLength(type, payload, LONG_PAYLOAD_BYTES);
    return payload.iterator().getLong(ORDER);
  }

  private static long position(FrameType type, ByteString payload) {
    long position = long8(type, payload);
    if (position < 0) {
      throw malformed(type, "position=" + position + " must be >= 0");
    }
    return position;
  }

  private static Frame decodeClose(ByteString payload) {
    requireMinimum(FrameType.CLOSE, payload, TEXT_CODE_BYTES);
    int code = payload.iterator().getShort(ORDER) & 0xFFFF;
    String reason =
        text(
            FrameType.CLOSE, "reason", payload.drop(TEXT_CODE_BYTES), Frame.Close.MAX_REASON_BYTES);
    return checked(FrameType.CLOSE, () -> new Frame.Close(code, reason));
  }

  private static Frame decodeError(ByteString payload) {
    requireMinimum(FrameType.ERROR, payload, TEXT_CODE_BYTES);
    ErrorCode code = ErrorCode.fromCode(payload.iterator().getShort(ORDER) & 0xFFFF);
    String message =
        text(
            FrameType.ERROR,
            "message",
            payload.drop(TEXT_CODE_BYTES),
            Frame.Error.MAX_MESSAGE_BYTES);
    return checked(FrameType.ERROR, () -> new Frame.Error(code, message));
  }

  private static Frame decodeChallenge(ByteString payload) {
    requireLength(FrameType.CHALLENGE, payload, CHALLENGE_BYTES);
    ByteIterator in = payload.iterator();
    requireMagic(FrameType.CHALLENGE, in.getInt(ORDER));
    int version = in.getShort(ORDER) & 0xFFFF;
    int flags = in.getShort(ORDER) & 0xFFFF;
    if ((flags & ~CHALLENGE_FLAG_PROOF_REQUIRED) != 0) {
      throw malformed(
          FrameType.CHALLENGE, "flags=0x" + Integer.toHexString(flags) + " must be 0x0 or 0x1");
    }
    ByteString nonce = payload.drop(CHALLENGE_BYTES - Frame.Challenge.NONCE_BYTES);
    boolean proofRequired = flags == CHALLENGE_FLAG_PROOF_REQUIRED;
    return checked(FrameType.CHALLENGE, () -> new Frame.Challenge(version, proofRequired, nonce));
  }

  private static Frame decodeHello(ByteString payload) {
    requireMinimum(FrameType.HELLO, payload, HELLO_FIXED_BYTES);
    ByteIterator in = payload.iterator();
    requireMagic(FrameType.HELLO, in.getInt(ORDER));
    int version = in.getShort(ORDER) & 0xFFFF;
    int flags = in.getShort(ORDER) & 0xFFFF;
    if ((flags & ~HELLO_FLAG_CREATE) != 0) {
      throw malformed(
          FrameType.HELLO, "flags=0x" + Integer.toHexString(flags) + " must be 0x0 or 0x1");
    }
    UUID streamId = new UUID(in.getLong(ORDER), in.getLong(ORDER));
    long readPosition = in.getLong(ORDER);
    int historyCheck = in.getInt(ORDER);
    LinkLimits limits = limits(FrameType.HELLO, in);
    ByteString nonce = payload.slice(
        HELLO_FIXED_BYTES - 1 - Frame.Hello.NONCE_BYTES, HELLO_FIXED_BYTES - 1);
    int proofLength = payload.apply(HELLO_FIXED_BYTES - 1) & 0xFF;
    if (proofLength > Frame.Hello.MAX_PROOF_BYTES) {
      throw malformed(
          FrameType.HELLO,
          "proofLength=" + proofLength + " must be <= " + Frame.Hello.MAX_PROOF_BYTES);
    }
    requireLength(FrameType.HELLO, payload, HELLO_FIXED_BYTES + proofLength);
    ByteString proof = payload.drop(HELLO_FIXED_BYTES);
    boolean create = flags == HELLO_FLAG_CREATE;
    return checked(
        FrameType.HELLO,
        () -> new Frame.Hello(version, streamId, create, readPosition, historyCheck, limits,
            nonce, proof));
  }

  private static Frame decodeWelcome(ByteString payload) {
    requireMinimum(FrameType.WELCOME, payload, WELCOME_FIXED_BYTES);
    ByteIterator in = payload.iterator();
    HandshakeStatus status = HandshakeStatus.fromCode(in.getByte() & 0xFF);
    long readPosition = in.getLong(ORDER);
    int historyCheck = in.getInt(ORDER);
    long gracePeriodMillis = in.getLong(ORDER);
    LinkLimits limits = limits(FrameType.WELCOME, in);
    int detailLength = in.getShort(ORDER) & 0xFFFF;
    if (detailLength > Frame.Welcome.MAX_DETAIL_BYTES) {
      throw malformed(
          FrameType.WELCOME,
          "detailLength=" + detailLength + " must be <= " + Frame.Welcome.MAX_DETAIL_BYTES);
    }
    int proofLength = in.getByte() & 0xFF;
    if (proofLength > Frame.Welcome.MAX_PROOF_BYTES) {
      throw malformed(
          FrameType.WELCOME,
          "proofLength=" + proofLength + " must be <= " + Frame.Welcome.MAX_PROOF_BYTES);
    }
    requireLength(FrameType.WELCOME, payload, WELCOME_FIXED_BYTES + detailLength + proofLength);
    String detail =
        text(
            FrameType.WELCOME,
            "detail",
            payload.slice(WELCOME_FIXED_BYTES, WELCOME_FIXED_BYTES + detailLength),
            Frame.Welcome.MAX_DETAIL_BYTES);
    ByteString proof = payload.drop(WELCOME_FIXED_BYTES + detailLength);
    return checked(
        FrameType.WELCOME,
        () -> new Frame.Welcome(status, readPosition, historyCheck, gracePeriodMillis, limits,
            detail, proof));
  }

  private static LinkLimits limits(FrameType type, ByteIterator in) {
    int maxDataBytes = in.getInt(ORDER);
    long windowBytes = in.getLong(ORDER);
    long readBufferBytes = in.getLong(ORDER);
    return checked(type, () -> new LinkLimits(maxDataBytes, windowBytes, readBufferBytes));
  }

  private static void requireLength(FrameType type, ByteString payload, int expected) {
    if (payload.size() != expected) {
      throw malformed(type, "length=" + payload.size() + " must be " + expected);
    }
  }

  private static void requireMinimum(FrameType type, ByteString payload, int minimum) {
    if (payload.size() < minimum) {
      throw malformed(type, "length=" + payload.size() + " must be >= " + minimum);
    }
  }

  private static void requireMagic(FrameType type, int magic) {
    if (magic != MAGIC) {
      throw malformed(
          type,
          "magic=0x" + Integer.toHexString(magic) + " must be 0x" + Integer.toHexString(MAGIC));
    }
  }

  private static String text(FrameType type, String name, ByteString bytes, int maxBytes) {
    if (bytes.size() > maxBytes) {
      throw malformed(type, name + ".utf8Bytes=" + bytes.size() + " must be <= " + maxBytes);
    }
    try {
      return Checks.utf8(bytes);
    } catch (CharacterCodingException e) {
      throw malformed(type, name + ".utf8Bytes=" + bytes.size() + " is not valid UTF-8");
    }
  }

  /** Field rules live in the records' constructors; on decode a broken rule is the peer's fault. */
  private static <T> T checked(FrameType type, Supplier<T> constructor) {
    try {
      return constructor.get();
    } catch (IllegalArgumentException e) {
      throw malformed(type, e.getMessage());
    }
  }

  private static MalformedFrameException malformed(FrameType type, String detail) {
    return new MalformedFrameException(ErrorCode.PROTOCOL_VIOLATION, type, detail);
  }

  /**
   * Renders a frame for trace logging, OkHttp style: {@code << DATA size=5} for a frame received,
   * {@code >> ACK position=17} for one sent. Never includes payload, nonce or proof bytes; texts are
   * quoted, escaped and cut by {@link PeerText#quote}.
   *
   * @param inbound {@code true} for a frame received, {@code false} for one sent
   * @param frame the frame
   * @return one line without a line terminator
   */
  public static String frameLog(boolean inbound, Frame frame) {
    return (inbound ? "<< " : ">> ") + describe(frame);
  }

  /**
   * Renders a frame for an exception message or a log line: its type and fields as in {@link
   * #frameLog}, without the direction. Safe for frames a peer sent: texts go through {@link
   * PeerText#quote}, and no payload or proof bytes appear.
   *
   * @param frame the frame
   * @return for example {@code CLOSE code=1000 reason="bye"}
   */
  public static String describe(Frame frame) {
    return FrameType.of(frame) + " " + fields(frame);
  }

  private static String fields(Frame frame) {
    if (frame instanceof Frame.Data data) {
      return "size=" + data.payload().size();
    } else if (frame instanceof Frame.Ack ack) {
      return "position=" + ack.position();
    } else if (frame instanceof Frame.EndOfStream end) {
      return "position=" + end.position();
    } else if (frame instanceof Frame.Ping ping) {
      return "nonce=" + ping.nonce();
    } else if (frame instanceof Frame.Pong pong) {
      return "nonce=" + pong.nonce();
    } else if (frame instanceof Frame.Close close) {
      return "code=" + close.code() + " reason=" + quote(close.reason());
    } else if (frame instanceof Frame.Error error) {
      return "code=" + error.code() + " message=" + quote(error.message());
    } else if (frame instanceof Frame.Challenge challenge) {
      return "version=" + challenge.version() + " proofRequired=" + challenge.proofRequired()
          + " nonceSize=" + challenge.nonce().size();
    } else if (frame instanceof Frame.Hello h) {
      return String.format(
          "version=%d streamId=%s create=%b readPosition=%d historyCheck=%d nonceSize=%d"
              + " proofSize=%d",
          h.version(),
          h.streamId(),
          h.create(),
          h.readPosition(),
          h.historyCheck(),
          h.nonce().size(),
          h.proof().size());
    }
    Frame.Welcome w = (Frame.Welcome) frame;
    return String.format(
        "status=%s readPosition=%d historyCheck=%d gracePeriodMillis=%d detail=%s proofSize=%d",
        w.status(), w.readPosition(), w.historyCheck(), w.gracePeriodMillis(), quote(w.detail()),
        w.proof().size());
  }

  private static String quote(String text) {
    return PeerText.quote(text);
  }
}
