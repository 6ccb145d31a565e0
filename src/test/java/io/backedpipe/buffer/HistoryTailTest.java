package io.backedpipe.buffer;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Random;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;

/**
 * The history tail keeps the last 64 bytes as a copy of their own: a view would keep the whole
 * chunk it came from alive for as long as the pipe lives, so every idle pipe that once carried
 * data pinned up to a chunk per direction.
 */
class HistoryTailTest {
  private static ByteString random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }

  @Test
  void shouldKeepTheLastBytesOfABigChunkAsACompactCopy() {
    ByteString chunk = random(1 << 20, 1);

    ByteString tail = HistoryTail.append(ByteString.emptyByteString(), chunk);

    assertEquals(chunk.takeRight(ReplayBuffer.HISTORY_BYTES), tail);
    assertTrue(tail.isCompact(), "a view into the 1 MiB chunk would pin all of it");
  }

  @Test
  void shouldJoinSmallPiecesAcrossAppends() {
    ByteString stream = random(300, 2);
    ByteString tail = ByteString.emptyByteString();
    for (int from = 0; from < stream.size(); from += 7) {
      tail = HistoryTail.append(tail, stream.slice(from, Math.min(stream.size(), from + 7)));
      assertTrue(tail.isCompact());
    }
    assertEquals(stream.takeRight(ReplayBuffer.HISTORY_BYTES), tail);
  }

  @Test
  void shouldKeepFewerBytesNearTheStart() {
    ByteString start = random(10, 3);
    assertEquals(start, HistoryTail.append(ByteString.emptyByteString(), start));
  }

  @Test
  void shouldKeepTheReleasedHistoryOfTheReplayBufferCompact() {
    ReplayBuffer buffer = new ReplayBuffer(4 << 20);
    buffer.append(random(1 << 20, 4));
    buffer.releaseTo(1 << 20);

    ByteString before = buffer.before(1 << 20, ReplayBuffer.HISTORY_BYTES);

    assertEquals(ReplayBuffer.HISTORY_BYTES, before.size());
    assertTrue(before.isCompact(), "a view into the released chunk would pin all of it");
  }
}
