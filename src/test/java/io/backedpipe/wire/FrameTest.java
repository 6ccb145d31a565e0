package io.backedpipe.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

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
}
