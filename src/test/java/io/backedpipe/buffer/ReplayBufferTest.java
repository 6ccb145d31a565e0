package io.backedpipe.buffer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.util.Arrays;
import java.util.Random;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

class ReplayBufferTest {

  /** Distinct bytes whose value depends on the index, so misplaced bytes are detected. */
  private static byte[] pattern(int length, int salt) {
    byte[] bytes = new byte[length];
    for (int i = 0; i < length; i++) {
      bytes[i] = (byte) (i * 31 + salt + (i >>> 8));
    }
    return bytes;
  }

  private static byte[] concat(byte[]... parts) {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    for (byte[] part : parts) {
      out.writeBytes(part);
    }
    return out.toByteArray();
  }

  @Test
  void shouldStartFreshBufferAtPositionZero() {
    ReplayBuffer buffer = new ReplayBuffer(100);

    assertEquals(0L, buffer.startPosition());
    assertEquals(0L, buffer.endPosition());
    assertEquals(0, buffer.size());
    assertEquals(100, buffer.remaining());
    assertEquals(ByteString.emptyByteString(), buffer.slice(0, 10));
  }

  /**
   * Many chunks of 64 KiB (each too big to be joined with the next) fill the deque past the size
   * at which a drained buffer replaces it; appends, slices and history must carry on across that.
   */
  @Test
  void shouldKeepBytesAndHistoryInOrderWhenDrainedAfterHoldingManyChunks() {
    int chunk = 64 * 1024;
    ReplayBuffer buffer = new ReplayBuffer(64 * chunk);
    byte[] all = pattern(40 * chunk, 7);
    for (int i = 0; i < 40; i++) {
      assertEquals(chunk, buffer.append(ByteString.fromArray(all, i * chunk, chunk)));
    }
    assertEquals(40L * chunk, buffer.releaseTo(40L * chunk));
    assertEquals(0, buffer.size());
    assertArrayEquals(Arrays.copyOfRange(all, all.length - ReplayBuffer.HISTORY_BYTES, all.length),
        buffer.before(40L * chunk, ReplayBuffer.HISTORY_BYTES).toArray());
    byte[] more = pattern(3 * chunk, 11);
    for (int i = 0; i < 3; i++) {
      buffer.append(ByteString.fromArray(more, i * chunk, chunk));
    }
    assertArrayEquals(more, buffer.slice(40L * chunk, more.length).toArray());
    buffer.releaseTo(41L * chunk);
    assertArrayEquals(Arrays.copyOfRange(more, chunk, more.length),
        buffer.slice(41L * chunk, more.length).toArray());
  }

  @Test
  void shouldStartAtTheGivenPosition() {
    ReplayBuffer buffer = new ReplayBuffer(100, 1_000L);
    buffer.append(ByteString.fromString("abc"));

    assertEquals(1_000L, buffer.startPosition());
    assertEquals(1_003L, buffer.endPosition());
    assertEquals("bc", buffer.slice(1_001L, 10).utf8String());
  }

  @Test
  void shouldReturnBytesFromPositionToEndAfterAppends() {
    ReplayBuffer buffer = new ReplayBuffer(100);
    buffer.append(ByteString.fromString("hello "));
    buffer.append(ByteString.fromString("world"));

    assertEquals("hello world", buffer.slice(0, Integer.MAX_VALUE).utf8String());
    assertEquals("lo world", buffer.slice(3, Integer.MAX_VALUE).utf8String());
    assertEquals("world", buffer.slice(6, Integer.MAX_VALUE).utf8String());
    assertEquals("", buffer.slice(11, Integer.MAX_VALUE).utf8String());
  }

  @Test
  void shouldReturnNewestBytesAcrossManySmallJoinedChunks() {
    ReplayBuffer buffer = new ReplayBuffer(1 << 20);
    byte[] all = pattern(200_000, 7);
    for (int i = 0; i < all.length; i += 100) {
      assertEquals(100, buffer.append(ByteString.fromArray(Arrays.copyOfRange(all, i, i + 100))));
    }

    assertEquals(200_000L, buffer.endPosition());
    for (int from : new int[] {0, 1, 65_535, 65_536, 65_537, 131_072, 199_999, 200_000}) {
      assertArrayEquals(
          Arrays.copyOfRange(all, from, all.length),
          buffer.slice(from, Integer.MAX_VALUE).toArray(),
          "from=" + from);
    }
  }

  @Test
  void shouldReturnNewestBytesAcrossManyLargeChunks() {
    ReplayBuffer buffer = new ReplayBuffer(1 << 20);
    byte[] first = pattern(70_000, 1);
    byte[] second = pattern(100_000, 2);
    byte[] third = pattern(80_000, 3);
    buffer.append(ByteString.fromArray(first));
    buffer.append(ByteString.fromArray(second));
    buffer.append(ByteString.fromArray(third));
    byte[] all = concat(first, second, third);

    for (int from : new int[] {0, 69_999, 70_000, 70_001, 169_999, 170_000, 249_999, 250_000}) {
      assertArrayEquals(
          Arrays.copyOfRange(all, from, all.length),
          buffer.slice(from, Integer.MAX_VALUE).toArray(),
          "from=" + from);
    }
  }

  @Test
  void shouldReturnRemainingBytesAfterReleaseInTheMiddleOfAChunk() {
    ReplayBuffer buffer = new ReplayBuffer(1 << 20);
    byte[] first = pattern(70_000, 1);
    byte[] second = pattern(70_000, 2);
    buffer.append(ByteString.fromArray(first));
    buffer.append(ByteString.fromArray(second));
    byte[] all = concat(first, second);

    buffer.releaseTo(35_000);
    assertArrayEquals(
        Arrays.copyOfRange(all, 35_000, all.length), buffer.slice(35_000, Integer.MAX_VALUE).toArray());
    assertArrayEquals(
        Arrays.copyOfRange(all, 100_000, all.length),
        buffer.slice(100_000, Integer.MAX_VALUE).toArray());

    buffer.releaseTo(105_000);
    assertEquals(105_000L, buffer.startPosition());
    assertArrayEquals(
        Arrays.copyOfRange(all, 105_000, all.length),
        buffer.slice(105_000, Integer.MAX_VALUE).toArray());
  }

  @Test
  void shouldAppendAfterReleaseInTheMiddleOfASmallChunk() {
    ReplayBuffer buffer = new ReplayBuffer(100);
    buffer.append(ByteString.fromString("abcdef"));
    buffer.releaseTo(3);
    buffer.append(ByteString.fromString("ghi"));

    assertEquals("defghi", buffer.slice(3, 100).utf8String());
    assertEquals("fghi", buffer.slice(5, 100).utf8String());
  }

  @Test
  void shouldLimitSliceToMaxBytes() {
    ReplayBuffer buffer = new ReplayBuffer(100);
    buffer.append(ByteString.fromString("hello "));
    buffer.append(ByteString.fromString("world"));

    assertEquals("lo w", buffer.slice(3, 4).utf8String());
    assertEquals("", buffer.slice(3, 0).utf8String());
  }

  @Test
  void shouldLimitSliceToMaxBytesAcrossLargeChunks() {
    ReplayBuffer buffer = new ReplayBuffer(1 << 20);
    byte[] first = pattern(70_000, 1);
    byte[] second = pattern(70_000, 2);
    buffer.append(ByteString.fromArray(first));
    buffer.append(ByteString.fromArray(second));
    byte[] all = concat(first, second);

    assertArrayEquals(Arrays.copyOfRange(all, 60_000, 80_000), buffer.slice(60_000, 20_000).toArray());
  }

  @Test
  void shouldRejectSlicePositionBelowStart() {
    ReplayBuffer buffer = new ReplayBuffer(100);
    buffer.append(ByteString.fromString("abcdef"));
    buffer.releaseTo(2);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> buffer.slice(1, 10));
    assertEquals("position=1 not held: held=[2,6]", e.getMessage());
  }

  @Test
  void shouldRejectSlicePositionAboveEnd() {
    ReplayBuffer buffer = new ReplayBuffer(100);
    buffer.append(ByteString.fromString("abcdef"));

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> buffer.slice(7, 10));
    assertEquals("position=7 not held: held=[0,6]", e.getMessage());
  }

  @Test
  void shouldRejectNegativeMaxBytes() {
    ReplayBuffer buffer = new ReplayBuffer(100);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> buffer.slice(0, -1));
    assertEquals("maxBytes=-1 must be >= 0", e.getMessage());
  }

  @Test
  void shouldReportHeldPositionsInclusiveOfEnd() {
    ReplayBuffer buffer = new ReplayBuffer(100, 10);
    buffer.append(ByteString.fromString("abcd"));
    buffer.releaseTo(12);

    assertFalse(buffer.holds(11));
    assertTrue(buffer.holds(12));
    assertTrue(buffer.holds(14));
    assertFalse(buffer.holds(15));
  }

  @Test
  void shouldTreatEmptyAppendAsNoOp() {
    ReplayBuffer buffer = new ReplayBuffer(100, 5);
    buffer.append(ByteString.fromString("ab"));

    assertEquals(0, buffer.append(ByteString.emptyByteString()));
    assertEquals(5L, buffer.startPosition());
    assertEquals(7L, buffer.endPosition());
    assertEquals("ab", buffer.slice(5, 100).utf8String());
  }

  @Test
  void shouldAcceptOnlyPrefixWhenAppendExceedsRemaining() {
    ReplayBuffer buffer = new ReplayBuffer(10);
    buffer.append(ByteString.fromString("0123456"));

    assertEquals(3, buffer.append(ByteString.fromString("789abc")));
    assertEquals(10L, buffer.endPosition());
    assertEquals(0, buffer.remaining());
    assertEquals("0123456789", buffer.slice(0, 100).utf8String());
  }

  @Test
  void shouldNeverEvictUnreleasedBytesWhenFull() {
    ReplayBuffer buffer = new ReplayBuffer(10);
    buffer.append(ByteString.fromString("0123456789"));

    assertEquals(0, buffer.append(ByteString.fromString("x")));
    assertEquals(0L, buffer.startPosition());
    assertEquals(10L, buffer.endPosition());
    assertEquals("0123456789", buffer.slice(0, 100).utf8String());
  }

  @Test
  void shouldAcceptFurtherAppendsAfterReleaseFreesSpace() {
    ReplayBuffer buffer = new ReplayBuffer(10);
    buffer.append(ByteString.fromString("0123456789"));
    buffer.releaseTo(4);

    assertEquals(4, buffer.append(ByteString.fromString("abcdef")));
    assertEquals("456789abcd", buffer.slice(4, 100).utf8String());
  }

  @Test
  void shouldAcceptAppendLargerThanCapacityInSlices() {
    int capacity = 1_000;
    ReplayBuffer buffer = new ReplayBuffer(capacity);
    byte[] original = pattern(2_500, 9);
    ByteString rest = ByteString.fromArray(original);
    ByteString replayed = ByteString.emptyByteString();

    int[] expectedTaken = {1_000, 1_000, 500};
    for (int expected : expectedTaken) {
      int taken = buffer.append(rest);
      assertEquals(expected, taken);
      replayed = replayed.concat(buffer.slice(buffer.startPosition(), Integer.MAX_VALUE));
      rest = rest.drop(taken);
      buffer.releaseTo(buffer.endPosition());
    }

    assertTrue(rest.isEmpty());
    assertArrayEquals(original, replayed.toArray());
  }

  @Test
  void shouldReturnReleasedCount() {
    ReplayBuffer buffer = new ReplayBuffer(100);
    buffer.append(ByteString.fromString("abcdefgh"));

    assertEquals(3, buffer.releaseTo(3));
    assertEquals(0, buffer.releaseTo(3));
    assertEquals(5, buffer.releaseTo(8));
    assertEquals(8L, buffer.startPosition());
    assertEquals(0, buffer.size());
  }

  @Test
  void shouldRejectReleaseBeyondEnd() {
    ReplayBuffer buffer = new ReplayBuffer(100);
    buffer.append(ByteString.fromString("abc"));

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> buffer.releaseTo(4));
    assertEquals("position=4 not held: held=[0,3]", e.getMessage());
    assertEquals(0L, buffer.startPosition());
  }

  @Test
  void shouldRejectReleaseBelowStart() {
    ReplayBuffer buffer = new ReplayBuffer(100);
    buffer.append(ByteString.fromString("abc"));
    buffer.releaseTo(2);

    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> buffer.releaseTo(1));
    assertEquals("position=1 not held: held=[2,3]", e.getMessage());
  }

  @Test
  void shouldGrowMemoryWithContentOnly() {
    ReplayBuffer buffer = new ReplayBuffer(8 << 20);
    buffer.append(ByteString.fromString("0123456789"));

    assertEquals(10, buffer.size());
    assertEquals((8 << 20) - 10, buffer.remaining());
    assertEquals(8 << 20, buffer.capacity());
  }

  @Test
  void shouldShrinkSizeOnRelease() {
    ReplayBuffer buffer = new ReplayBuffer(100);
    buffer.append(ByteString.fromString("0123456789"));
    buffer.releaseTo(7);

    assertEquals(3, buffer.size());
    assertEquals(97, buffer.remaining());
  }

  @ParameterizedTest(name = "capacity={0} append={1} -> {2}")
  @CsvSource({
    "16, 15, 15",
    "16, 16, 16",
    "16, 17, 16",
    "1, 0, 0",
    "1, 1, 1",
    "1, 2, 1",
  })
  void shouldAcceptUpToCapacityIntoEmptyBuffer(int capacity, int length, int expectedTaken) {
    ReplayBuffer buffer = new ReplayBuffer(capacity);
    byte[] bytes = pattern(length, 5);

    assertEquals(expectedTaken, buffer.append(ByteString.fromArray(bytes)));
    assertEquals(expectedTaken, buffer.size());
    assertEquals(capacity - expectedTaken, buffer.remaining());
    assertArrayEquals(
        Arrays.copyOf(bytes, expectedTaken), buffer.slice(0, Integer.MAX_VALUE).toArray());
  }

  @Test
  void shouldAppendUpToLongMaxValue() {
    ReplayBuffer buffer = new ReplayBuffer(100, Long.MAX_VALUE - 10);

    assertEquals(4, buffer.append(ByteString.fromString("abcd")));
    assertEquals(6, buffer.append(ByteString.fromString("efghij")));
    assertEquals(Long.MAX_VALUE, buffer.endPosition());
    assertTrue(buffer.holds(Long.MAX_VALUE));
    assertEquals("ghij", buffer.slice(Long.MAX_VALUE - 4, Integer.MAX_VALUE).utf8String());
    assertEquals("", buffer.slice(Long.MAX_VALUE, Integer.MAX_VALUE).utf8String());
    assertEquals(10, buffer.releaseTo(Long.MAX_VALUE));
  }

  @Test
  void shouldRejectAppendThatOverflowsPosition() {
    ReplayBuffer buffer = new ReplayBuffer(100, Long.MAX_VALUE - 10);
    buffer.append(ByteString.fromString("abcdefgh"));

    IllegalStateException e =
        assertThrows(IllegalStateException.class, () -> buffer.append(ByteString.fromString("xyz")));
    assertTrue(e.getMessage().startsWith("position overflow"), e.getMessage());
    assertEquals(Long.MAX_VALUE - 2, buffer.endPosition());
    assertEquals("abcdefgh", buffer.slice(Long.MAX_VALUE - 10, 100).utf8String());
  }

  @Test
  void shouldRejectNonPositiveCapacity() {
    IllegalArgumentException zero =
        assertThrows(IllegalArgumentException.class, () -> new ReplayBuffer(0));
    assertEquals("capacity=0 must be > 0", zero.getMessage());
    IllegalArgumentException negative =
        assertThrows(IllegalArgumentException.class, () -> new ReplayBuffer(-5, 0));
    assertEquals("capacity=-5 must be > 0", negative.getMessage());
  }

  @Test
  void shouldRejectNegativePosition() {
    IllegalArgumentException e =
        assertThrows(IllegalArgumentException.class, () -> new ReplayBuffer(10, -1));
    assertEquals("position=-1 must be >= 0", e.getMessage());
  }

  @Test
  void shouldDescribeStateInToString() {
    ReplayBuffer buffer = new ReplayBuffer(50, 3);
    buffer.append(ByteString.fromString("ab"));

    assertEquals("ReplayBuffer[start=3 end=5 capacity=50]", buffer.toString());
  }

  @ParameterizedTest(name = "seed={0}")
  @ValueSource(longs = {1L, 42L, 20240601L, -7L, 987654321L})
  void shouldMatchReferenceModelUnderRandomOperations(long seed) {
    Random random = new Random(seed);
    int capacity = 1 + random.nextInt(300_000);
    long origin = random.nextInt(1_000_000);
    ReplayBuffer buffer = new ReplayBuffer(capacity, origin);
    // The model: every byte ever appended; model[i] has position origin + i.
    ByteArrayOutputStream everything = new ByteArrayOutputStream();
    long start = origin;

    for (int step = 0; step < 400; step++) {
      String at = "seed=" + seed + " step=" + step + " capacity=" + capacity;
      int op = random.nextInt(10);
      long end = origin + everything.size();
      if (op < 4) {
        int length =
            random.nextBoolean() ? random.nextInt(200) : random.nextInt(2 * capacity + 1);
        byte[] bytes = new byte[length];
        random.nextBytes(bytes);
        int offset = length == 0 ? 0 : random.nextInt(3);
        ByteString input = ByteString.fromArray(bytes).drop(offset);
        int expected = Math.min(input.size(), capacity - (int) (end - start));
        assertEquals(expected, buffer.append(input), at);
        everything.writeBytes(input.take(expected).toArray());
      } else if (op < 8) {
        long from = start + (long) (random.nextDouble() * (end - start + 1));
        from = Math.min(from, end);
        int max = random.nextBoolean() ? Integer.MAX_VALUE : random.nextInt(capacity + 1);
        byte[] model = everything.toByteArray();
        int fromIndex = (int) (from - origin);
        int toIndex = (int) Math.min(end - origin, (long) fromIndex + max);
        assertArrayEquals(
            Arrays.copyOfRange(model, fromIndex, toIndex),
            buffer.slice(from, max).toArray(),
            at + " slice from=" + from + " max=" + max);
      } else {
        long to = start + (long) (random.nextDouble() * (end - start + 1));
        to = Math.min(to, end);
        assertEquals((int) (to - start), buffer.releaseTo(to), at + " releaseTo=" + to);
        start = to;
      }
      assertEquals(start, buffer.startPosition(), at);
      assertEquals(origin + everything.size(), buffer.endPosition(), at);
      assertEquals(buffer.endPosition() - start, buffer.size(), at);
    }
    byte[] model = everything.toByteArray();
    assertArrayEquals(
        Arrays.copyOfRange(model, (int) (start - origin), model.length),
        buffer.slice(start, Integer.MAX_VALUE).toArray(),
        "seed=" + seed + " final slice");
  }

  @Test
  void shouldKeepTheBytesJustBeforeAReleasedPositionForTheHistoryCheck() {
    ReplayBuffer buffer = new ReplayBuffer(1024);
    buffer.append(ByteString.fromString("0123456789".repeat(10)));
    buffer.releaseTo(95);
    assertEquals("0123456789".repeat(10).substring(95 - 64, 95),
        buffer.before(95, ReplayBuffer.HISTORY_BYTES).utf8String());
    assertEquals("012345678", buffer.before(99, 9).utf8String());
  }

  @Test
  void shouldGiveFewerHistoryBytesAtTheBeginningOfTheStream() {
    ReplayBuffer buffer = new ReplayBuffer(1024);
    buffer.append(ByteString.fromString("abcdef"));
    buffer.releaseTo(4);
    assertEquals("abcd", buffer.before(4, 64).utf8String());
    assertEquals("abcdef", buffer.before(6, 64).utf8String());
  }

  @Test
  void shouldRefuseAHistoryLongerThanItKeeps() {
    ReplayBuffer buffer = new ReplayBuffer(16);
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> buffer.before(0, 65));
    assertEquals("maxBytes=65 must be in [0, 64]", error.getMessage());
  }
}
