package io.backedpipe.tunnel.mux;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
import org.junit.jupiter.api.Test;

/** The tunnel's frames: every kind round-trips in any pieces, and every fault is refused. */
class MuxDecoderTest {
  private static final List<MuxFrame> FRAMES = List.of(
      new MuxFrame.Open(1),
      new MuxFrame.Credit(1, 960 * 1024),
      new MuxFrame.Data(1, ByteString.fromString("hello")),
      new MuxFrame.Data(2, ByteString.fromArrayUnsafe(new byte[MuxCodec.MAX_DATA])),
      new MuxFrame.Eof(1),
      new MuxFrame.Reset(3, 16, "target unreachable: connection refused \u2013 ok"),
      new MuxFrame.Reset(4, 18, ""));

  private static ByteString encoded(List<MuxFrame> frames) {
    ByteString all = MuxCodec.preamble();
    for (MuxFrame frame : frames) {
      all = all.concat(MuxCodec.encode(frame));
    }
    return all;
  }

  private static ByteString header(int type, int stream, int length) {
    return MuxCodec.preamble().concat(new ByteStringBuilder().putByte((byte) type)
        .putInt(stream, ByteOrder.BIG_ENDIAN).putInt(length, ByteOrder.BIG_ENDIAN).result());
  }

  private static String refusal(ByteString bytes) {
    return assertThrows(MuxProtocolException.class, () -> new MuxDecoder().feed(bytes))
        .getMessage();
  }

  @Test
  void shouldReadBackEveryFrameWhateverThePiecesTheBytesComeIn() throws Exception {
    ByteString all = encoded(FRAMES);
    Random random = new Random(11);
    for (int round = 0; round < 50; round++) {
      MuxDecoder decoder = new MuxDecoder();
      List<MuxFrame> read = new ArrayList<>();
      int at = 0;
      while (at < all.size()) {
        int piece = round == 0 ? 1 : 1 + random.nextInt(70_000);
        read.addAll(decoder.feed(all.slice(at, Math.min(all.size(), at + piece))));
        at += piece;
      }
      assertEquals(FRAMES, read, "round " + round);
    }
  }

  @Test
  void shouldCutALongResetReasonAtACharacterBoundary() throws Exception {
    String reason = "\u00e9".repeat(400); // 800 bytes of UTF-8
    MuxFrame.Reset reset = (MuxFrame.Reset) new MuxDecoder()
        .feed(encoded(List.of(new MuxFrame.Reset(1, 16, reason)))).get(0);
    assertEquals(reason.substring(0, MuxCodec.MAX_REASON_BYTES / 2), reset.reason());
  }

  @Test
  void shouldRefuseAPeerThatIsNoTunnelFromItsFirstByte() {
    assertTrue(refusal(ByteString.fromString("S")).contains("does not speak the tunnel protocol"));
    assertTrue(refusal(ByteString.fromString("SSH-2.0-OpenSSH"))
        .contains("does not speak the tunnel protocol"));
  }

  @Test
  void shouldRefuseAnotherVersionOrReservedBits() {
    ByteString other = new ByteStringBuilder().putBytes(MuxCodec.MAGIC)
        .putShort(2, ByteOrder.BIG_ENDIAN).putShort(0, ByteOrder.BIG_ENDIAN).result();
    assertTrue(refusal(other).contains("version 2, this one 1"), refusal(other));
    ByteString reserved = new ByteStringBuilder().putBytes(MuxCodec.MAGIC)
        .putShort(1, ByteOrder.BIG_ENDIAN).putShort(1, ByteOrder.BIG_ENDIAN).result();
    assertTrue(refusal(reserved).contains("reserved"));
  }

  @Test
  void shouldRefuseABadHeaderBeforeItsPayloadArrives() {
    assertEquals("unknown tunnel frame type 9", refusal(header(9, 1, 0)));
    assertEquals("unknown tunnel frame type 0", refusal(header(0, 1, 0)));
    assertTrue(refusal(header(MuxCodec.DATA, 0, 1)).contains("stream ids start at 1"));
    assertTrue(refusal(header(MuxCodec.DATA, -1, 1)).contains("stream 4294967295"));
    assertTrue(refusal(header(MuxCodec.DATA, 1, MuxCodec.MAX_DATA + 1))
        .contains("DATA frame for stream 1 with a payload of 1048577 bytes"));
    assertTrue(refusal(header(MuxCodec.DATA, 1, -1)).contains("4294967295 bytes"));
    assertTrue(refusal(header(MuxCodec.DATA, 1, 0)).contains("payload of 0 bytes"));
    assertTrue(refusal(header(MuxCodec.OPEN, 1, 1)).contains("OPEN frame"));
    assertTrue(refusal(header(MuxCodec.EOF, 1, 4)).contains("EOF frame"));
    assertTrue(refusal(header(MuxCodec.CREDIT, 1, 8)).contains("CREDIT frame"));
    assertTrue(refusal(header(MuxCodec.RESET, 1, 1)).contains("RESET frame"));
    assertTrue(refusal(header(MuxCodec.RESET, 1, 2 + MuxCodec.MAX_REASON_BYTES + 1))
        .contains("RESET frame"));
  }

  @Test
  void shouldRefuseAZeroOrNegativeCreditAndAReasonThatIsNotUtf8() {
    ByteString zero = header(MuxCodec.CREDIT, 1, 4).concat(new ByteStringBuilder()
        .putInt(0, ByteOrder.BIG_ENDIAN).result());
    assertTrue(refusal(zero).contains("a credit is 1 to 2^31-1 bytes"));
    ByteString negative = header(MuxCodec.CREDIT, 1, 4).concat(new ByteStringBuilder()
        .putInt(-5, ByteOrder.BIG_ENDIAN).result());
    assertTrue(refusal(negative).contains("4294967291 bytes"));
    ByteString badReason = header(MuxCodec.RESET, 1, 3).concat(ByteString.fromArrayUnsafe(
        new byte[] {0, 16, (byte) 0xC3}));
    assertTrue(refusal(badReason).contains("not UTF-8"));
  }

  @Test
  void shouldHandOnTheFramesBeforeAFault() throws Exception {
    MuxDecoder decoder = new MuxDecoder();
    assertEquals(List.of(new MuxFrame.Open(1)),
        decoder.feed(encoded(List.of(new MuxFrame.Open(1)))));
    assertThrows(MuxProtocolException.class, () -> decoder.feed(ByteString.fromArrayUnsafe(
        new byte[] {7, 0, 0, 0, 1, 0, 0, 0, 0})));
  }
}
