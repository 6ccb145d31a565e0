package io.backedpipe.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.HashSet;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.function.Executable;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;
import org.junit.jupiter.params.provider.ValueSource;

class FrameTest {

  @Test
  void shouldRejectEmptyDataPayload() {
    IllegalArgumentException e =
        assertThrows(
            IllegalArgumentException.class, () -> new Frame.Data(ByteString.emptyByteString()));
    assertEquals("payload.size=0 must be > 0", e.getMessage());
  }

  @Test
  void shouldShowSizeNotContentInDataToString() {
    assertEquals("Data[size=6]", new Frame.Data(ByteString.fromString("secret")).toString());
  }

  @Test
  void shouldCompareDataByPayload() {
    assertEquals(
        new Frame.Data(ByteString.fromString("abc")), new Frame.Data(ByteString.fromString("abc")));
    assertNotEquals(
        new Frame.Data(ByteString.fromString("abc")), new Frame.Data(ByteString.fromString("abd")));
  }

  @Test
  void shouldCompareAckByPosition() {
    assertEquals(new Frame.Ack(5), new Frame.Ack(5));
    assertEquals(new Frame.Ack(5).hashCode(), new Frame.Ack(5).hashCode());
    assertNotEquals(new Frame.Ack(5), new Frame.Ack(6));
  }

  @Test
  void shouldCompareEndOfStreamByPositionAndKind() {
    assertEquals(new Frame.EndOfStream(9), new Frame.EndOfStream(9));
    assertNotEquals(new Frame.EndOfStream(9), new Frame.EndOfStream(10));
    assertNotEquals(new Frame.Ack(9), new Frame.EndOfStream(9));
  }

  private static final UUID ID = new UUID(1, 2);
  private static final ByteString NONCE = ByteString.fromArrayUnsafe(new byte[16]);

  private static void assertRejected(String message, Executable construction) {
    assertEquals(message, assertThrows(IllegalArgumentException.class, construction).getMessage());
  }

  @Test
  void shouldRejectCloseCodesOutsideTwoBytes() {
    assertRejected("code=-1 must be in [0,65535]", () -> new Frame.Close(-1, ""));
    assertRejected("code=65536 must be in [0,65535]", () -> new Frame.Close(65536, ""));
    assertEquals(65535, new Frame.Close(65535, "").code());
  }

  @ParameterizedTest
  @CsvSource({"a, 1024, true", "a, 1025, false", "\u00e9, 512, true", "\u00e9, 513, false"})
  void shouldLimitTextsByTheirUtf8Bytes(String unit, int repeat, boolean accepted) {
    String text = unit.repeat(repeat);
    int bytes = ByteString.fromString(text).size();
    if (accepted) {
      assertEquals(text, new Frame.Close(0, text).reason());
      assertEquals(text, new Frame.Error(ErrorCode.INTERNAL, text).message());
    } else {
      assertRejected(
          "reason.utf8Bytes=" + bytes + " must be <= 1024", () -> new Frame.Close(0, text));
      assertRejected(
          "message.utf8Bytes=" + bytes + " must be <= 1024",
          () -> new Frame.Error(ErrorCode.INTERNAL, text));
    }
  }

  @Test
  void shouldLimitWelcomeDetailTo256Bytes() {
    assertEquals(
        256, new Frame.Welcome(HandshakeStatus.OK, 0, 0, 0, "d".repeat(256)).detail().length());
    assertRejected(
        "detail.utf8Bytes=257 must be <= 256",
        () -> new Frame.Welcome(HandshakeStatus.OK, 0, 0, 0, "d".repeat(257)));
  }

  @Test
  void shouldRejectUnpairedSurrogatesInTexts() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new Frame.Close(0, "a\ud800b"));
    assertTrue(e.getMessage().startsWith("reason is not well-formed UTF-16"), e.getMessage());
  }

  @Test
  void shouldRequireSixteenByteNonce() {
    assertRejected("nonce.size=15 must be 16",
        () -> new Frame.Challenge(1, true, NONCE.take(15)));
    assertRejected("nonce.size=17 must be 16",
        () -> new Frame.Challenge(1, true, NONCE.concat(NONCE.take(1))));
    assertRejected("version=65536 must be in [0,65535]",
        () -> new Frame.Challenge(65536, true, NONCE));
    assertRejected("nonce.size=15 must be 16",
        () -> new Frame.Hello(0, ID, true, 0, 0, NONCE.take(15), ByteString.emptyByteString()));
  }

  @Test
  void shouldValidateHelloFields() {
    ByteString proof = ByteString.fromArrayUnsafe(new byte[64]);
    assertEquals(64, new Frame.Hello(0, ID, true, 0, 0, NONCE, proof).proof().size());
    assertRejected(
        "proof.size=65 must be <= 64",
        () -> new Frame.Hello(0, ID, true, 0, 0, NONCE, proof.concat(proof.take(1))));
    assertRejected(
        "readPosition=-1 must be >= 0", () -> new Frame.Hello(0, ID, true, -1, 0, NONCE, proof));
    assertRejected(
        "version=-1 must be in [0,65535]", () -> new Frame.Hello(-1, ID, true, 0, 0, NONCE, proof));
    assertThrows(NullPointerException.class, () -> new Frame.Hello(0, null, true, 0, 0, NONCE, proof));
  }

  @ParameterizedTest
  @CsvSource({
    "OK, 0, 0, ",
    "OK, -1, 0, readPosition=-1 must be >= 0 when status=OK",
    "BAD_POSITION, -1, 0, ",
    "BAD_POSITION, -2, 0, readPosition=-2 must be >= -1 when status=BAD_POSITION",
    "OK, 0, -1, gracePeriodMillis=-1 must be >= 0",
  })
  void shouldValidateWelcomeFields(
      HandshakeStatus status, long position, long grace, String error) {
    if (error == null) {
      assertEquals(position, new Frame.Welcome(status, position, 0, grace, "").readPosition());
    } else {
      assertRejected(error, () -> new Frame.Welcome(status, position, 0, grace, ""));
    }
  }

  @Test
  void shouldHideNonceAndProofBytesInToString() {
    assertEquals("Challenge[version=1, proofRequired=true, nonceSize=16]",
        new Frame.Challenge(1, true, NONCE).toString());
    assertEquals(
        "Hello[version=1, streamId=00000000-0000-0001-0000-000000000002, create=false,"
            + " readPosition=3, historyCheck=4, limits=LinkLimits[maxDataBytes=1024,"
            + " windowBytes=2048, readBufferBytes=4096], nonceSize=16, proofSize=2]",
        new Frame.Hello(1, ID, false, 3, 4, new LinkLimits(1024, 2048, 4096), NONCE,
            ByteString.fromString("pw")).toString());
    assertEquals(
        "Welcome[status=OK, readPosition=5, historyCheck=6, gracePeriodMillis=7,"
            + " limits=LinkLimits[maxDataBytes=1024, windowBytes=2048, readBufferBytes=4096],"
            + " detail=\"ok\", proofSize=32]",
        new Frame.Welcome(HandshakeStatus.OK, 5, 6, 7, new LinkLimits(1024, 2048, 4096), "ok",
            ByteString.fromArrayUnsafe(new byte[32])).toString());
  }

  @Test
  void shouldGiveEveryFrameRecordItsOwnType() {
    Set<Class<?>> permitted = Set.of(Frame.class.getPermittedSubclasses());
    Set<Class<?>> typed = new HashSet<>();
    for (FrameType type : RandomFrames.TYPES) {
      Frame frame = RandomFrames.of(type, new Random(1), 8);
      assertEquals(type, FrameType.of(frame));
      assertTrue(frame.getClass().isRecord(), frame.getClass() + " is a record");
      typed.add(frame.getClass());
    }
    assertEquals(permitted, typed);
  }

  @ParameterizedTest
  @EnumSource(FrameType.class)
  void shouldFindEveryFrameTypeByItsCode(FrameType type) {
    assertEquals(type, FrameType.fromCode(type.code()));
  }

  @ParameterizedTest
  @ValueSource(ints = {-1, 0, 0x08, 0x0f, 0x13, 0xff, 0x101, Integer.MIN_VALUE})
  void shouldAnswerUnknownForUnassignedFrameTypeCodes(int code) {
    assertEquals(FrameType.UNKNOWN, FrameType.fromCode(code));
  }

  @ParameterizedTest
  @CsvSource({
    "1, PROTOCOL_VIOLATION",
    "2, FRAME_TOO_LARGE",
    "3, UNKNOWN_FRAME_TYPE",
    "4, HANDSHAKE_TIMEOUT",
    "5, HEARTBEAT_TIMEOUT",
    "6, INTERNAL",
    "0, UNKNOWN",
    "7, UNKNOWN",
    "65535, UNKNOWN",
    "-1, UNKNOWN",
  })
  void shouldMapErrorCodesFromTheWire(int code, ErrorCode error) {
    assertEquals(error, ErrorCode.fromCode(code));
  }

  @ParameterizedTest
  @CsvSource({
    "0, OK, false",
    "1, UNKNOWN_STREAM, true",
    "2, VERSION_UNSUPPORTED, true",
    "3, BAD_POSITION, true",
    "4, LIMIT_REACHED, false",
    "5, NOT_AUTHORIZED, true",
    "6, HISTORY_MISMATCH, true",
    "7, COMPLETED, true",
    "8, UNKNOWN, false",
    "255, UNKNOWN, false",
    "-1, UNKNOWN, false",
  })
  void shouldMapHandshakeStatusesAndTellWhichArePermanent(
      int code, HandshakeStatus status, boolean permanent) {
    assertEquals(status, HandshakeStatus.fromCode(code));
    assertEquals(permanent, status.isPermanent());
  }
  @Test
  void shouldShortenACloseReasonAtACharacterBoundary() {
    String euros = "\u20ac".repeat(400); // 3 bytes each in UTF-8: 1200 bytes
    Frame.Close close = Frame.Close.shortened(5, euros);
    assertEquals(341, close.reason().length()); // 1023 bytes: a 342nd would need 1026
    assertEquals("a?b", Frame.Close.shortened(5, "a\ud800b").reason());
    assertEquals("short", Frame.Close.shortened(5, "short").reason());
  }

  @Test
  void shouldPrintPeerTextEscapedSoThatAFramePrintedToALogForgesNoLine() {
    assertEquals("Close[code=4000, reason=\"\\u000d\\u000a[ERROR] forged\\u001b[31m\"]",
        new Frame.Close(4000, "\r\n[ERROR] forged\u001b[31m").toString());
    assertEquals("Error[code=PROTOCOL_VIOLATION, message=\"bad\\u2028line\"]",
        new Frame.Error(ErrorCode.PROTOCOL_VIOLATION, "bad\u2028line").toString());
  }

  @Test
  void shouldFitAnyTextIntoAWelcomeDetail() {
    assertEquals("null", Frame.Welcome.fitDetail(null));
    String long2Byte = "\u00e9".repeat(200); // 400 bytes of UTF-8
    String fitted = Frame.Welcome.fitDetail(long2Byte);
    assertEquals(Frame.Welcome.MAX_DETAIL_BYTES / 2, fitted.length()); // no character split
    new Frame.Welcome(HandshakeStatus.LIMIT_REACHED, -1, 0, 0, fitted); // accepted
  }
}
