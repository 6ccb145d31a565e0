package io.backedpipe.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteOrder;
import java.util.HexFormat;
import java.util.Random;
import java.util.UUID;
import java.util.stream.Stream;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.MethodSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The byte layout, pure: no ActorSystem. Malformed input is given as hex, as a peer would send it.
 */
class FrameCodecTest {
  private static final int MAX_DATA = 4096;
  private static final FrameCodec CODEC = new FrameCodec(MAX_DATA);

  private static final String MAGIC = "42504950";
  private static final String NONCE = "000102030405060708090a0b0c0d0e0f";
  /** A HELLO's client nonce. */
  private static final String CLIENT_NONCE = "101112131415161718191a1b1c1d1e1f";
  private static final String STREAM_ID = "0011223344556677 8899aabbccddeeff";
  private static final UUID STREAM_UUID = new UUID(0x0011223344556677L, 0x8899aabbccddeeffL);

  /** Limits of 256 KiB frames, an 8 MiB window and an 8 MiB read buffer. */
  private static final LinkLimits LIMITS = new LinkLimits(0x40000, 0x800000, 0x800000);
  private static final String LIMITS_HEX = "00040000 0000000000800000 0000000000800000";
  /** {@link LinkLimits#NONE}. */
  private static final String NONE_HEX = "01000000 7fffffffffffffff 7fffffffffffffff";

  /** A HELLO up to and including its version, with an empty proof: length 73. */
  private static final String HELLO_73 = "11 00000049 " + MAGIC + " 0001 ";

  /**
   * A HELLO's fields after the flags, up to the proof length: readPosition 42, LIMITS, the client
   * nonce.
   */
  private static final String HELLO_TAIL =
      STREAM_ID + " 000000000000002a cafebabe " + LIMITS_HEX + " " + CLIENT_NONCE;

  /**
   * A WELCOME with status OK, readPosition 42, LIMITS, up to the detail length; length 45: one
   * byte of detail, no proof.
   */
  private static final String WELCOME_45 =
      "12 0000002d 00 000000000000002a 00000000 0000000000007530 " + LIMITS_HEX;

  private static ByteString hex(String hex) {
    return ByteString.fromArrayUnsafe(HexFormat.of().parseHex(hex.replaceAll("\\s", "")));
  }

  private static String hex(ByteString bytes) {
    return HexFormat.of().formatHex(bytes.toArray());
  }

  /** A frame with any header, which the encoder would refuse to write. */
  private static ByteString raw(int typeCode, int length, ByteString payload) {
    return new ByteStringBuilder()
        .putByte((byte) typeCode)
        .putInt(length, ByteOrder.BIG_ENDIAN)
        .append(payload)
        .result();
  }

  private static MalformedFrameException assertMalformed(ByteString bytes, ErrorCode code) {
    MalformedFrameException e =
        assertThrows(MalformedFrameException.class, () -> CODEC.decode(bytes));
    assertEquals(code, e.code(), e.getMessage());
    return e;
  }

  static Stream<Arguments> goldenFrames() {
    return Stream.of(
        Arguments.of(new Frame.Data(ByteString.fromString("hi")), "01 00000002 6869"),
        Arguments.of(new Frame.Ack(17), "02 00000008 0000000000000011"),
        Arguments.of(new Frame.Ping(-1), "03 00000008 ffffffffffffffff"),
        Arguments.of(new Frame.Pong(0x0102030405060708L), "04 00000008 0102030405060708"),
        Arguments.of(new Frame.EndOfStream(5), "05 00000008 0000000000000005"),
        Arguments.of(new Frame.Close(1000, "bye"), "06 00000005 03e8 627965"),
        Arguments.of(
            new Frame.Error(ErrorCode.HEARTBEAT_TIMEOUT, "late"), "07 00000006 0005 6c617465"),
        Arguments.of(new Frame.Error(ErrorCode.UNKNOWN, ""), "07 00000002 ffff"),
        Arguments.of(new Frame.Challenge(2, true, hex(NONCE)),
            "10 00000018 " + MAGIC + " 0002 0001 " + NONCE),
        Arguments.of(new Frame.Challenge(2, false, hex(NONCE)),
            "10 00000018 " + MAGIC + " 0002 0000 " + NONCE),
        Arguments.of(
            new Frame.Hello(2, STREAM_UUID, true, 42, 0xcafebabe, LIMITS, hex(CLIENT_NONCE),
                ByteString.fromString("ab")),
            "11 0000004b " + MAGIC + " 0002 0001 " + HELLO_TAIL + " 02 6162"),
        Arguments.of(
            new Frame.Hello(2, STREAM_UUID, false, 42, 0xcafebabe, LIMITS, hex(CLIENT_NONCE),
                ByteString.emptyByteString()),
            "11 00000049 " + MAGIC + " 0002 0000 " + HELLO_TAIL + " 00"),
        Arguments.of(
            new Frame.Welcome(HandshakeStatus.OK, 42, -1, 30_000, LIMITS, "ok"),
            "12 0000002e 00 000000000000002a ffffffff 0000000000007530 " + LIMITS_HEX
                + " 0002 00 6f6b"),
        Arguments.of(
            new Frame.Welcome(HandshakeStatus.UNKNOWN_STREAM, -1, 0, 0, LinkLimits.NONE, "",
                ByteString.fromString("pq")),
            "12 0000002e 01 ffffffffffffffff 00000000 0000000000000000 " + NONE_HEX
                + " 0000 02 7071"));
  }

  @ParameterizedTest
  @MethodSource("goldenFrames")
  void shouldEncodeAndDecodeTheDocumentedBytes(Frame frame, String bytes) {
    assertEquals(hex(hex(bytes)), hex(CODEC.encode(frame)));
    assertEquals(frame, CODEC.decode(hex(bytes)));
  }

  @ParameterizedTest
  @ValueSource(longs = {1, 2, 3, 4, 5, 6, 7, 8})
  void shouldRoundTripRandomFramesOfEveryType(long seed) {
    Random random = new Random(seed);
    for (FrameType type : RandomFrames.TYPES) {
      for (int i = 0; i < 50; i++) {
        Frame frame = RandomFrames.of(type, random, MAX_DATA);
        ByteString bytes = CODEC.encode(frame);
        String where = "seed=" + seed + " frame=" + frame;
        assertEquals(type.code(), bytes.apply(0) & 0xFF, where);
        assertEquals(
            bytes.size() - FrameCodec.HEADER_BYTES,
            bytes.drop(1).iterator().getInt(ByteOrder.BIG_ENDIAN),
            where);
        assertEquals(frame, CODEC.decode(bytes), where);
        assertEquals(frame, CODEC.decode(bytes.compact()), where);
      }
    }
  }

  @Test
  void shouldSliceDataPayloadWithoutCopying() {
    byte[] frame = HexFormat.of().parseHex("0100000003616263");
    Frame.Data data = (Frame.Data) CODEC.decode(ByteString.fromArrayUnsafe(frame));
    frame[5] = 'x'; // the decoded payload is a view of the frame's array

    assertEquals("xbc", data.payload().utf8String());
  }

  @ParameterizedTest
  @CsvSource({
    "DATA, 0, PROTOCOL_VIOLATION, code=PROTOCOL_VIOLATION type=DATA length=0 must be >= 1",
    "DATA, 1, , ",
    "DATA, 4096, , ",
    "DATA, 4097, FRAME_TOO_LARGE, code=FRAME_TOO_LARGE type=DATA length=4097 must be <= 4096",
    "CLOSE, 4096, PROTOCOL_VIOLATION, "
        + "code=PROTOCOL_VIOLATION type=CLOSE reason.utf8Bytes=4094 must be <= 1024",
    "CLOSE, 4097, FRAME_TOO_LARGE, code=FRAME_TOO_LARGE type=CLOSE length=4097 must be <= 4096",
  })
  void shouldCheckPayloadLengthAgainstTheLimits(
      FrameType type, int length, ErrorCode code, String message) {
    ByteString bytes = raw(type.code(), length, ByteString.fromString("x".repeat(length)));
    if (code == null) {
      assertEquals(length, ((Frame.Data) CODEC.decode(bytes)).payload().size());
    } else {
      assertEquals(message, assertMalformed(bytes, code).getMessage());
    }
  }

  @ParameterizedTest
  @CsvSource({
    "CLOSE, 1024, ",
    "CLOSE, 1025, code=PROTOCOL_VIOLATION type=CLOSE reason.utf8Bytes=1025 must be <= 1024",
    "ERROR, 1024, ",
    "ERROR, 1025, code=PROTOCOL_VIOLATION type=ERROR message.utf8Bytes=1025 must be <= 1024",
    "WELCOME, 256, ",
    "WELCOME, 257, code=PROTOCOL_VIOLATION type=WELCOME detailLength=257 must be <= 256",
  })
  void shouldLimitTextLength(FrameType type, int textBytes, String message) {
    ByteString text =
        ByteString.fromString("\u00e9".repeat(textBytes / 2) + "a".repeat(textBytes % 2));
    ByteStringBuilder payload = new ByteStringBuilder();
    if (type == FrameType.WELCOME) {
      payload.append(hex(WELCOME_45).drop(5)).putShort(textBytes, ByteOrder.BIG_ENDIAN)
          .putByte((byte) 0);
    } else {
      payload.putShort(1, ByteOrder.BIG_ENDIAN);
    }
    ByteString bytes =
        raw(type.code(), payload.length() + textBytes, payload.result().concat(text));
    if (message == null) {
      assertEquals(type, FrameType.of(CODEC.decode(bytes)));
    } else {
      assertEquals(message, assertMalformed(bytes, ErrorCode.PROTOCOL_VIOLATION).getMessage());
    }
  }

  @ParameterizedTest
  @CsvSource({
    "ACK, 7, must be 8",
    "ACK, 9, must be 8",
    "END_OF_STREAM, 7, must be 8",
    "END_OF_STREAM, 9, must be 8",
    "PING, 7, must be 8",
    "PING, 9, must be 8",
    "PONG, 7, must be 8",
    "PONG, 9, must be 8",
    "CHALLENGE, 23, must be 24",
    "CHALLENGE, 25, must be 24",
    "HELLO, 72, must be >= 73",
    "HELLO, 74, must be 73",
    "WELCOME, 43, must be >= 44",
    "WELCOME, 45, must be 44",
    "CLOSE, 1, must be >= 2",
    "ERROR, 1, must be >= 2",
  })
  void shouldRejectWrongLengthForTheType(FrameType type, int length, String rule) {
    Frame valid =
        switch (type) {
          case HELLO -> new Frame.Hello(1, STREAM_UUID, true, 0, 0, hex(CLIENT_NONCE),
              ByteString.emptyByteString());
          case WELCOME -> new Frame.Welcome(HandshakeStatus.OK, 0, 0, 0, "");
          default -> RandomFrames.of(type, new Random(length), MAX_DATA);
        };
    ByteString payload = CODEC.encode(valid).drop(FrameCodec.HEADER_BYTES).concat(hex("00"));

    MalformedFrameException e =
        assertMalformed(
            raw(type.code(), length, payload.take(length)), ErrorCode.PROTOCOL_VIOLATION);
    assertEquals(
        "code=PROTOCOL_VIOLATION type=" + type + " length=" + length + " " + rule, e.getMessage());
    assertEquals(type, e.type());
  }

  @ParameterizedTest
  @CsvSource({
    "'', code=PROTOCOL_VIOLATION type=UNKNOWN size=0 must be >= 5",
    "02 000000, code=PROTOCOL_VIOLATION type=UNKNOWN size=4 must be >= 5",
    "02 00000008 00000000000000, code=PROTOCOL_VIOLATION type=ACK length=8 but payload.size=7",
    "02 00000007 0000000000000000, code=PROTOCOL_VIOLATION type=ACK length=7 but payload.size=8",
    "01 80000000, code=FRAME_TOO_LARGE type=DATA length=2147483648 must be <= 4096",
    "01 ffffffff, code=FRAME_TOO_LARGE type=DATA length=4294967295 must be <= 4096",
    "02 ffffffff 00, code=FRAME_TOO_LARGE type=ACK length=4294967295 must be <= 4096",
    "00 00000000, code=UNKNOWN_FRAME_TYPE type=UNKNOWN typeCode=0x00",
    "08 00000008 0000000000000000, code=UNKNOWN_FRAME_TYPE type=UNKNOWN typeCode=0x08",
    "13 00000000, code=UNKNOWN_FRAME_TYPE type=UNKNOWN typeCode=0x13",
    "ff 00000000, code=UNKNOWN_FRAME_TYPE type=UNKNOWN typeCode=0xff",
    "ff ffffffff, code=FRAME_TOO_LARGE type=UNKNOWN length=4294967295 must be <= 4096",
    "13 00001001, code=FRAME_TOO_LARGE type=UNKNOWN length=4097 must be <= 4096",
  })
  void shouldRejectBrokenHeaders(String bytes, String message) {
    MalformedFrameException e =
        assertThrows(MalformedFrameException.class, () -> CODEC.decode(hex(bytes)));
    assertEquals(message, e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({
    "02 00000008 ffffffffffffffff, type=ACK position=-1 must be >= 0",
    "05 00000008 8000000000000000, type=END_OF_STREAM position=-9223372036854775808 must be >= 0",
    "10 00000018 42504951 0002 0000 " + NONCE + ", type=CHALLENGE magic=0x42504951 must be 0x42504950",
    "10 00000018 " + MAGIC + " 0002 0002 " + NONCE + ", type=CHALLENGE flags=0x2 must be 0x0 or 0x1",
    "10 00000018 " + MAGIC + " 0002 8001 " + NONCE
        + ", type=CHALLENGE flags=0x8001 must be 0x0 or 0x1",
    "11 00000049 50495042 0001 0001 "
        + HELLO_TAIL
        + " 00, "
        + "type=HELLO magic=0x50495042 must be 0x42504950",
    HELLO_73 + "0002 " + HELLO_TAIL + " 00, type=HELLO flags=0x2 must be 0x0 or 0x1",
    HELLO_73 + "0003 " + HELLO_TAIL + " 00, type=HELLO flags=0x3 must be 0x0 or 0x1",
    HELLO_73 + "8000 " + HELLO_TAIL + " 00, type=HELLO flags=0x8000 must be 0x0 or 0x1",
    HELLO_73 + "0001 " + HELLO_TAIL + " 01, type=HELLO length=73 must be 74",
    "11 0000004a " + MAGIC + " 0001 0001 " + HELLO_TAIL + " 00 00, type=HELLO length=74 must be 73",
    "11 0000004a "
        + MAGIC
        + " 0001 0001 "
        + HELLO_TAIL
        + " 41 00, "
        + "type=HELLO proofLength=65 must be <= 64",
    HELLO_73
        + "0001 "
        + STREAM_ID
        + " ffffffffffffffff 00000000 " + LIMITS_HEX + " " + CLIENT_NONCE + " 00, "
        + "type=HELLO readPosition=-1 must be >= 0",
    HELLO_73
        + "0001 "
        + STREAM_ID
        + " 0000000000000000 00000000 00000000 0000000000800000 0000000000800000 "
        + CLIENT_NONCE + " 00, "
        + "'type=HELLO maxDataBytes=0 must be in [1, 16777216]'",
    HELLO_73
        + "0001 "
        + STREAM_ID
        + " 0000000000000000 00000000 01000001 0000000000800000 0000000000800000 "
        + CLIENT_NONCE + " 00, "
        + "'type=HELLO maxDataBytes=16777217 must be in [1, 16777216]'",
    "12 0000002c 00 0000000000000000 00000000 0000000000000000"
        + " 00040000 0000000000000000 0000000000800000 0000 00, "
        + "type=WELCOME windowBytes=0 must be >= 1",
    "12 0000002c 00 0000000000000000 00000000 0000000000000000"
        + " 00040000 0000000000800000 8000000000000000 0000 00, "
        + "type=WELCOME readBufferBytes=-9223372036854775808 must be >= 1",
    "12 0000002c 00 ffffffffffffffff 00000000 0000000000000000 " + LIMITS_HEX + " 0000 00, "
        + "type=WELCOME readPosition=-1 must be >= 0 when status=OK",
    "12 0000002c 01 fffffffffffffffe 00000000 0000000000000000 " + LIMITS_HEX + " 0000 00, "
        + "type=WELCOME readPosition=-2 must be >= -1 when status=UNKNOWN_STREAM",
    "12 0000002c 00 0000000000000000 00000000 ffffffffffffffff " + LIMITS_HEX + " 0000 00, "
        + "type=WELCOME gracePeriodMillis=-1 must be >= 0",
    WELCOME_45 + " 0002 00 78, type=WELCOME length=45 must be 46",
    WELCOME_45 + " 0000 02 78, type=WELCOME length=45 must be 46",
    "12 0000002c 00 0000000000000000 00000000 0000000000000000 " + LIMITS_HEX + " 0000 41, "
        + "type=WELCOME proofLength=65 must be <= 64",
  })
  void shouldRejectBrokenFields(String bytes, String message) {
    MalformedFrameException e = assertMalformed(hex(bytes), ErrorCode.PROTOCOL_VIOLATION);
    assertEquals("code=PROTOCOL_VIOLATION " + message, e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({
    "06 00000004 03e8 c328, type=CLOSE reason.utf8Bytes=2",
    "06 00000004 03e8 c080, type=CLOSE reason.utf8Bytes=2",
    "06 00000005 03e8 eda080, type=CLOSE reason.utf8Bytes=3",
    "07 00000003 0001 ff, type=ERROR message.utf8Bytes=1",
    "07 00000004 0001 e6bc, type=ERROR message.utf8Bytes=2",
    WELCOME_45 + " 0001 00 80, type=WELCOME detail.utf8Bytes=1",
  })
  void shouldRejectInvalidUtf8(String bytes, String message) {
    MalformedFrameException e = assertMalformed(hex(bytes), ErrorCode.PROTOCOL_VIOLATION);
    assertEquals("code=PROTOCOL_VIOLATION " + message + " is not valid UTF-8", e.getMessage());
  }

  @Test
  void shouldDecodeUnassignedCodesAsUnknown() {
    assertEquals(new Frame.Error(ErrorCode.UNKNOWN, "x"), CODEC.decode(hex("07 00000003 03e7 78")));
    assertEquals(
        new Frame.Welcome(HandshakeStatus.UNKNOWN, -1, 0, 0, ""),
        CODEC.decode(hex("12 0000002c 77 ffffffffffffffff 00000000 0000000000000000 "
            + NONE_HEX + " 0000 00")));
  }

  @Test
  void shouldRefuseToEncodeDataAboveTheLimit() {
    Frame.Data data = new Frame.Data(ByteString.fromArrayUnsafe(new byte[MAX_DATA + 1]));
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CODEC.encode(data));
    assertEquals("length=4097 must be in [0,4096]: type=DATA", e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"ACK, -1", "END_OF_STREAM, -9223372036854775808"})
  void shouldRefuseToEncodeNegativePositions(FrameType type, long position) {
    Frame frame = type == FrameType.ACK ? new Frame.Ack(position) : new Frame.EndOfStream(position);
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> CODEC.encode(frame));
    assertEquals("position=" + position + " must be >= 0: type=" + type, e.getMessage());
  }

  @ParameterizedTest
  @CsvSource({
    "1, 1031",
    "1026, 1031",
    "1027, 1032",
    "262144, 262149",
    "2147483642, 2147483647",
  })
  void shouldSizeFramesForTheLargerOfDataAndControlPayloads(int maxDataBytes, int maxFrameBytes) {
    assertEquals(maxFrameBytes, FrameCodec.maxFrameBytes(maxDataBytes));
    assertEquals(maxDataBytes, new FrameCodec(maxDataBytes).maxDataBytes());
  }

  @ParameterizedTest
  @ValueSource(ints = {0, -1, 2147483643, Integer.MAX_VALUE})
  void shouldRejectDataLimitsThatDoNotFit(int maxDataBytes) {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new FrameCodec(maxDataBytes));
    assertEquals("maxDataBytes=" + maxDataBytes + " must be in [1,2147483642]", e.getMessage());
  }

  static Stream<Arguments> logLines() {
    return Stream.of(
        Arguments.of(true, new Frame.Data(ByteString.fromString("hello")), "<< DATA size=5"),
        Arguments.of(false, new Frame.Ack(17), ">> ACK position=17"),
        Arguments.of(true, new Frame.EndOfStream(9), "<< END_OF_STREAM position=9"),
        Arguments.of(false, new Frame.Ping(-3), ">> PING nonce=-3"),
        Arguments.of(true, new Frame.Pong(-3), "<< PONG nonce=-3"),
        Arguments.of(
            false,
            new Frame.Close(1000, "bye\r\n[ERROR] forged line\u001b[31m"),
            ">> CLOSE code=1000 reason=\"bye\\u000d\\u000a[ERROR] forged line\\u001b[31m\""),
        Arguments.of(
            true,
            new Frame.Error(ErrorCode.INTERNAL, "oops"),
            "<< ERROR code=INTERNAL message=\"oops\""),
        Arguments.of(
            true, new Frame.Challenge(1, true, hex(NONCE)),
            "<< CHALLENGE version=1 proofRequired=true nonceSize=16"),
        Arguments.of(
            false,
            new Frame.Hello(1, STREAM_UUID, true, 42, 7, hex(CLIENT_NONCE),
                ByteString.fromString("secret")),
            ">> HELLO version=1 streamId=00112233-4455-6677-8899-aabbccddeeff create=true"
                + " readPosition=42 historyCheck=7 nonceSize=16 proofSize=6"),
        Arguments.of(
            true,
            new Frame.Welcome(HandshakeStatus.LIMIT_REACHED, -1, 0, 500, "busy"),
            "<< WELCOME status=LIMIT_REACHED readPosition=-1 historyCheck=0 gracePeriodMillis=500"
                + " detail=\"busy\" proofSize=0"));
  }

  @ParameterizedTest
  @MethodSource("logLines")
  void shouldRenderFrameLogLinesWithoutPayloadBytes(boolean inbound, Frame frame, String line) {
    assertEquals(line, FrameCodec.frameLog(inbound, frame));
  }
}
