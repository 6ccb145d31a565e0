package io.backedpipe.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import io.backedpipe.wire.MalformedFrameException;
import java.nio.ByteOrder;
import java.util.EnumMap;
import java.util.HashSet;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/** The generator alone, no server: reproducible, complete, and harmless to the protected stream. */
class HostileInputTest {
  private static final int MAX_DATA = 256 * 1024;
  private static final UUID PROTECTED = UUID.fromString("00000000-0000-0000-0000-00000000beef");
  private static final HostileInput INPUT = new HostileInput(7, Optional.of(PROTECTED), MAX_DATA);
  private static final FrameCodec CODEC = new FrameCodec(MAX_DATA);

  @Test
  void shouldMakeTheSameCaseForTheSameSeedAndIndex() {
    HostileInput again = new HostileInput(7, Optional.of(PROTECTED), MAX_DATA);
    for (int i = 0; i < 500; i++) {
      assertEquals(INPUT.generate(i), again.generate(i));
    }
  }

  @Test
  void shouldCoverEveryKindInTwoThousandCases() {
    Map<HostileKind, Integer> counts = new EnumMap<>(HostileKind.class);
    for (int i = 0; i < 2000; i++) {
      counts.merge(INPUT.generate(i).kind(), 1, Integer::sum);
    }
    assertEquals(Set.of(HostileKind.values()), counts.keySet(), counts.toString());
  }

  @Test
  void shouldTruncateAHelloAtEveryOffset() {
    Set<Integer> offsets = new HashSet<>();
    for (int i = 0; i < 20_000; i++) {
      HostileCase c = INPUT.generate(i);
      if (c.kind() == HostileKind.TRUNCATED_HANDSHAKE) {
        offsets.add(c.bytes().size());
      }
    }
    for (int offset = 0; offset < FrameCodec.HEADER_BYTES + 37; offset++) {
      assertTrue(offsets.contains(offset), "no HELLO cut at " + offset);
    }
  }

  @Test
  void shouldNeverSendAHelloThatCouldTakeTheProtectedStreamOver() {
    for (int i = 0; i < 20_000; i++) {
      HostileCase c = INPUT.generate(i);
      c.handshake().ifPresent(hello -> assertHarmless(hello, c));
      if (!c.mayBeWelcomed()) {
        firstFrame(c.bytes()).filter(Frame.Hello.class::isInstance)
            .ifPresent(hello -> assertHarmless((Frame.Hello) hello, c));
      }
    }
  }

  @Test
  void shouldChangeTheOwnStreamsWithEachEpoch() {
    assertEquals(INPUT.ownStream(0, 3), INPUT.ownStream(HostileInput.DEFAULT_EPOCH_CASES - 1, 3));
    assertTrue(!INPUT.ownStream(0, 3).equals(
        INPUT.ownStream(HostileInput.DEFAULT_EPOCH_CASES, 3)));
    assertTrue(!INPUT.ownStream(0, 3).equals(INPUT.ownStream(0, 4)));
  }

  /** A valid HELLO for the protected stream must be refused: bad version or impossible position. */
  private static void assertHarmless(Frame.Hello hello, HostileCase c) {
    if (!hello.streamId().equals(PROTECTED)
        || hello.version() != io.backedpipe.wire.FrameCodec.PROTOCOL_VERSION) {
      return;
    }
    boolean beyond = hello.readPosition() >= HostileInput.IMPOSSIBLE_POSITION;
    boolean badCheckAtZero = hello.readPosition() == 0 && hello.historyCheck() != 0;
    assertTrue(beyond || badCheckAtZero, "could take over: " + hello + " in " + c);
  }

  private static Optional<Frame> firstFrame(ByteString bytes) {
    if (bytes.size() < FrameCodec.HEADER_BYTES) {
      return Optional.empty();
    }
    long length = Integer.toUnsignedLong(
        bytes.slice(1, 5).asByteBuffer().order(ByteOrder.BIG_ENDIAN).getInt());
    if (bytes.size() < FrameCodec.HEADER_BYTES + length) {
      return Optional.empty();
    }
    try {
      return Optional.of(CODEC.decode(bytes.take(FrameCodec.HEADER_BYTES + (int) length)));
    } catch (MalformedFrameException e) {
      return Optional.empty();
    }
  }
}
