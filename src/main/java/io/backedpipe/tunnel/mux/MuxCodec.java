package io.backedpipe.tunnel.mux;

import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * The layout of the tunnel's {@link MuxFrame}s. Each direction of the pipe starts with the
 * {@linkplain #preamble() preamble}; then come frames, each a 9-byte header (type, stream id,
 * payload length, big-endian) and the payload. A DATA frame's bytes are not copied: the header is
 * joined to them.
 */
public final class MuxCodec {
  /** The protocol's version, in the preamble. */
  public static final int VERSION = 1;
  /** The preamble's length. */
  public static final int PREAMBLE_BYTES = 8;
  /** A frame header's length. */
  public static final int HEADER_BYTES = 9;
  /** The largest DATA payload. */
  public static final int MAX_DATA = 1 << 20;
  /** The longest RESET reason, in UTF-8 bytes. */
  public static final int MAX_REASON_BYTES = 512;
  /**
   * The credit a stream starts with in each direction, before any CREDIT: the sender may send this
   * much at once, with the OPEN, without waiting a round trip. The receiver grants more as its
   * TCP connection takes the bytes ({@link StreamWindow}).
   */
  public static final int INITIAL_CREDIT = 64 * 1024;
  /** The largest element a sender cuts a stream's bytes into: one DATA frame at most. */
  public static final int MAX_CHUNK = 256 * 1024;

  static final int OPEN = 1;
  static final int DATA = 2;
  static final int EOF = 3;
  static final int RESET = 4;
  static final int CREDIT = 5;
  static final byte[] MAGIC = {'B', 'P', 'T', 'M'};

  private static final ByteOrder ORDER = ByteOrder.BIG_ENDIAN;
  private static final ByteString PREAMBLE = new ByteStringBuilder()
      .putBytes(MAGIC).putShort(VERSION, ORDER).putShort(0, ORDER).result();

  private MuxCodec() {}

  /**
   * What each side sends first: {@code BPTM}, the version, two zero bytes.
   *
   * @return the 8 bytes
   */
  public static ByteString preamble() {
    return PREAMBLE;
  }

  /**
   * Encodes a frame.
   *
   * @param frame the frame
   * @return its bytes
   */
  public static ByteString encode(MuxFrame frame) {
    if (frame instanceof MuxFrame.Data data) {
      return header(DATA, data.stream(), data.bytes().size()).concat(data.bytes());
    } else if (frame instanceof MuxFrame.Open open) {
      return header(OPEN, open.stream(), 0);
    } else if (frame instanceof MuxFrame.Eof eof) {
      return header(EOF, eof.stream(), 0);
    } else if (frame instanceof MuxFrame.Credit credit) {
      return new ByteStringBuilder().putByte((byte) CREDIT).putInt(credit.stream(), ORDER)
          .putInt(4, ORDER).putInt(credit.bytes(), ORDER).result();
    }
    MuxFrame.Reset reset = (MuxFrame.Reset) frame;
    byte[] reason = reasonBytes(reset.reason());
    return new ByteStringBuilder().putByte((byte) RESET).putInt(reset.stream(), ORDER)
        .putInt(2 + reason.length, ORDER).putShort(reset.code(), ORDER).putBytes(reason)
        .result();
  }

  /**
   * A frame's type, as the log and the protocol's errors name it.
   *
   * @param frame the frame
   * @return {@code OPEN}, {@code DATA}, {@code EOF}, {@code RESET} or {@code CREDIT}
   */
  public static String name(MuxFrame frame) {
    return typeName(frame instanceof MuxFrame.Open ? OPEN : frame instanceof MuxFrame.Data ? DATA
        : frame instanceof MuxFrame.Eof ? EOF : frame instanceof MuxFrame.Reset ? RESET : CREDIT);
  }

  /** The name of a known type code. */
  static String typeName(int type) {
    return switch (type) {
      case OPEN -> "OPEN";
      case DATA -> "DATA";
      case EOF -> "EOF";
      case RESET -> "RESET";
      default -> "CREDIT";
    };
  }

  /** The reason in UTF-8, cut at a character boundary to fit {@link #MAX_REASON_BYTES}. */
  static byte[] reasonBytes(String reason) {
    byte[] bytes = reason.getBytes(StandardCharsets.UTF_8);
    if (bytes.length <= MAX_REASON_BYTES) {
      return bytes;
    }
    int end = MAX_REASON_BYTES;
    while (end > 0 && (bytes[end] & 0xC0) == 0x80) {
      end--; // not inside a multi-byte character
    }
    return java.util.Arrays.copyOf(bytes, end);
  }

  /** The 9-byte header, written straight into its array: it goes before every DATA chunk. */
  private static ByteString header(int type, int stream, int length) {
    byte[] header = new byte[HEADER_BYTES];
    java.nio.ByteBuffer.wrap(header).order(ORDER)
        .put((byte) type).putInt(stream).putInt(length);
    return ByteString.fromArrayUnsafe(header);
  }
}
