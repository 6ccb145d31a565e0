package io.backedpipe.hostile;

import io.backedpipe.wire.ErrorCode;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import java.nio.ByteOrder;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;

/**
 * Byte building for {@link HostileInput}: frames with any header, patched HELLOs and small valid
 * frames of every type. Offsets follow {@code docs/protocol.md}.
 */
final class HostileBytes {
  /** The protocol version of every well-formed HELLO. */
  private static final int VERSION = FrameCodec.PROTOCOL_VERSION;

  /** Offset of a HELLO's magic in the frame (after the 5-byte header). */
  static final int HELLO_MAGIC = 5;
  /** Offset of a HELLO's version. */
  static final int HELLO_VERSION = 9;
  /** Offset of a HELLO's flags. */
  static final int HELLO_FLAGS = 11;
  /** Offset of a HELLO's read position. */
  static final int HELLO_READ_POSITION = 29;
  /** Offset of a HELLO's proof length. */
  static final int HELLO_PROOF_LENGTH = 77;
  /** A HELLO's payload without its proof. */
  static final int HELLO_FIXED_BYTES = 73;
  /**
   * The client nonce of every HELLO made here: the server only passes it into proofs, so a fixed
   * one exercises it as well as a random one.
   */
  static final ByteString HELLO_NONCE = ByteString.fromString("hostile nonce 16");

  private static final ByteOrder ORDER = ByteOrder.BIG_ENDIAN;
  private static final int[] SENDABLE_TYPES = {0x01, 0x02, 0x03, 0x04, 0x05, 0x06, 0x07, 0x10,
      0x11, 0x12};

  private final FrameCodec codec;

  HostileBytes(FrameCodec codec) {
    this.codec = codec;
  }

  /** A frame with any type code and length field, followed by {@code payload} as it is. */
  static ByteString raw(int typeCode, int length, ByteString payload) {
    return new ByteStringBuilder().putByte((byte) typeCode).putInt(length, ORDER).append(payload)
        .result();
  }

  static ByteString random(SplittableRandom random, int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }

  /** {@code bytes} with {@code replacement} written over it from {@code offset}. */
  static ByteString patch(ByteString bytes, int offset, ByteString replacement) {
    return bytes.take(offset).concat(replacement).concat(bytes.drop(offset + replacement.size()));
  }

  static ByteString int16(int value) {
    return new ByteStringBuilder().putShort(value, ORDER).result();
  }

  static ByteString int32(int value) {
    return new ByteStringBuilder().putInt(value, ORDER).result();
  }

  static ByteString int64(long value) {
    return new ByteStringBuilder().putLong(value, ORDER).result();
  }

  static int randomType(SplittableRandom random) {
    return SENDABLE_TYPES[random.nextInt(SENDABLE_TYPES.length)];
  }

  ByteString encode(Frame frame) {
    return codec.encode(frame);
  }

  ByteString hello(int version, UUID streamId, boolean create, long readPosition,
      int historyCheck, ByteString proof) {
    return codec.encode(new Frame.Hello(version, streamId, create, readPosition, historyCheck,
        HELLO_NONCE, proof));
  }

  /**
   * A small valid frame of a random type. Positions of ACK and END_OF_STREAM are 0 (harmless on
   * any connection), so a stream the hostile client owns never has its window released by it.
   */
  Frame validFrame(SplittableRandom random) {
    return validFrame(random, 10);
  }

  /** A small valid frame of any type but HELLO: the wrong frame where a HELLO is expected. */
  Frame validFrameButHello(SplittableRandom random) {
    return validFrame(random, 9);
  }

  private Frame validFrame(SplittableRandom random, int types) {
    return switch (random.nextInt(types)) {
      case 0 -> new Frame.Data(random(random, 1 + random.nextInt(64)));
      case 1 -> new Frame.Ack(0);
      case 2 -> new Frame.Ping(random.nextLong());
      case 3 -> new Frame.Pong(random.nextLong());
      case 4 -> new Frame.EndOfStream(0);
      case 5 -> new Frame.Close(random.nextInt(0x10000), "hostile");
      case 6 -> new Frame.Error(ErrorCode.values()[random.nextInt(ErrorCode.values().length)], "x");
      case 7 -> new Frame.Challenge(1, false, random(random, Frame.Challenge.NONCE_BYTES));
      case 8 -> new Frame.Welcome(io.backedpipe.wire.HandshakeStatus.OK, 0, 0, 0, "");
      default -> new Frame.Hello(VERSION, new UUID(random.nextLong(), random.nextLong()), false,
          0, 0, HELLO_NONCE, random(random, random.nextInt(Frame.Hello.MAX_PROOF_BYTES + 1)));
    };
  }
}
