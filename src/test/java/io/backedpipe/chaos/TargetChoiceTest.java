package io.backedpipe.chaos;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The choice of a {@link ChaosProxy}'s target for each new connection. */
class TargetChoiceTest {
  private static final int LINKS = 1000;

  private static List<InetSocketAddress> targets(int count) {
    return IntStream.range(0, count)
        .mapToObj(i -> InetSocketAddress.createUnresolved("127.0.0.1", 7000 + i)).toList();
  }

  private static int[] tally(TargetChoice choice, int links) {
    int[] counts = new int[choice.targets().size()];
    for (int i = 0; i < links; i++) {
      counts[choice.next()]++;
    }
    return counts;
  }

  @ParameterizedTest
  @ValueSource(ints = {2, 3, 5})
  void shouldSendLinksToEveryTargetWhenThereAreSeveral(int count) {
    int[] counts = tally(new TargetChoice(targets(count), 42), LINKS);
    for (int i = 0; i < count; i++) {
      // a fair share is LINKS / count; a seeded uniform choice lands well within half of it
      assertTrue(counts[i] > LINKS / count / 2, "target " + i + " got " + counts[i]);
    }
    assertEquals(LINKS, IntStream.of(counts).sum());
  }

  @ParameterizedTest
  @ValueSource(longs = {0, 1, 42, -7})
  void shouldSendEveryLinkToTheOnlyTargetWhenThereIsOne(long seed) {
    TargetChoice choice = new TargetChoice(targets(1), seed);
    assertArrayEquals(new int[] {LINKS}, tally(choice, LINKS));
  }

  @Test
  void shouldChooseTheSameSequenceWhenTheSeedIsTheSame() {
    TargetChoice first = new TargetChoice(targets(3), 42);
    TargetChoice second = new TargetChoice(targets(3), 42);
    for (int i = 0; i < 100; i++) {
      assertEquals(first.next(), second.next(), "choice " + i);
    }
  }

  @Test
  void shouldRefuseNoTargets() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> new TargetChoice(List.of(), 42));
    assertEquals("targets must not be empty", error.getMessage());
  }
}
