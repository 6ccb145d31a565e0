package io.backedpipe.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The controller keeps every link in its sustained conditions, on manual time: latency and a
 * seeded limit from the first moment, a new limit every minute, link losses of the configured
 * length after the configured up time, and faults that give way to the conditions again.
 */
class LinkConditionsTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static ChaosStats stats(ActorRef<ProxyController.Command> controller) {
    TestProbe<ChaosStats> probe = testKit.createTestProbe();
    controller.tell(new ProxyController.GetStats(probe.ref())); // after all that came before
    return probe.receiveMessage();
  }

  /** Whether the link is lost once the controller handled all that came before. */
  private static boolean lostNow(ActorRef<ProxyController.Command> controller, ChaosLink<?> link) {
    stats(controller);
    return lost(link);
  }

  private static boolean lost(ChaosLink<?> link) {
    return link.plan().holding(System.nanoTime());
  }

  @Test
  void shouldKeepEveryLinkSlowLongAndLosingItForTheConfiguredTimes() {
    LinkConditions mobile = LinkConditions.mobile();
    ChaosSchedule schedule = new ChaosSchedule(Duration.ZERO, 0, Duration.ZERO, Duration.ZERO, 5,
        List.of(Fault.RESET)).withConditions(mobile);
    ActorRef<ProxyController.Command> controller = testKit.spawn(ProxyController.create(schedule));
    ChaosLink<ByteString> link = ChaosLink.shut(Sizer.BYTES, "mobile");
    controller.tell(new ProxyController.Register(1, link));
    stats(controller);
    LinkPlan first = link.plan();
    assertFalse(lost(link));
    assertEquals(Duration.ofMillis(150).toNanos(), first.delayNanos());
    assertTrue(first.bytesPerSecond() >= 16 * 1024 && first.bytesPerSecond() <= 64 * 1024);

    manualTime.timePasses(Duration.ofSeconds(20).minusMillis(1));
    assertEquals(0, stats(controller).blackholes()); // up for at least 20 s
    int upSeconds = 20;
    while (!lostNow(controller, link)) { // a second at a time: the loss starts within 40 s
      manualTime.timePasses(Duration.ofSeconds(1));
      assertTrue(++upSeconds <= 41, "a loss comes after at most 40 s up");
    }
    assertEquals(1, stats(controller).blackholes());
    ChaosLink<ByteString> during = ChaosLink.shut(Sizer.BYTES, "during");
    controller.tell(new ProxyController.Register(2, during));
    stats(controller);
    assertTrue(lost(during), "a link made during a loss is lost too");
    assertEquals(first.delayNanos(), during.plan().delayNanos());

    // A second at a time until it is over (the next loss may follow 20 s later, so not beyond).
    int lossSeconds = 0;
    while (lostNow(controller, link)) {
      manualTime.timePasses(Duration.ofSeconds(1));
      assertTrue(++lossSeconds <= 31, "a loss lasts at most 30 s");
    }
    assertTrue(lossSeconds >= 9, "a loss lasts at least 10 s: " + lossSeconds);
    assertFalse(lost(during));

    manualTime.timePasses(Duration.ofMinutes(3));
    stats(controller);
    assertNotEquals(first.bytesPerSecond(), link.plan().bytesPerSecond(), "a new rate by now");
    assertEquals(first.delayNanos(), link.plan().delayNanos());
  }

  @Test
  void shouldGiveTheConditionsBackAfterAFaultThatReshapedTheLink() {
    LinkConditions slow = new LinkConditions(Duration.ofMillis(100), 20_000, 20_000,
        Duration.ZERO, DurationRange.NEVER, DurationRange.NEVER);
    ChaosSchedule schedule = new ChaosSchedule(Duration.ofSeconds(1), 0, Duration.ZERO,
        Duration.ZERO, 5, List.of(Fault.DELAY)).withConditions(slow);
    ActorRef<ProxyController.Command> controller = testKit.spawn(ProxyController.create(schedule));
    ChaosLink<ByteString> link = ChaosLink.shut(Sizer.BYTES, "reshaped");
    controller.tell(new ProxyController.Register(1, link));
    stats(controller);
    assertEquals(20_000, link.plan().bytesPerSecond());
    manualTime.timePasses(Duration.ofMillis(1500)); // the first tick: a delay on top
    assertEquals(1, stats(controller).delays());
    assertTrue(link.plan().delayNanos() > Duration.ofMillis(100).toNanos());
    assertEquals(20_000, link.plan().bytesPerSecond());
  }

  @Test
  void shouldRefuseConditionsThatMakeNoSense() {
    assertEquals("minBytesPerSecond=0 and maxBytesPerSecond=10 must satisfy 0 < min <= max",
        assertThrows(IllegalArgumentException.class, () -> new LinkConditions(Duration.ZERO, 0,
            10, Duration.ofSeconds(1), DurationRange.NEVER, DurationRange.NEVER)).getMessage());
    assertEquals("min=2s and max=1s must satisfy 0 <= min <= max",
        assertThrows(IllegalArgumentException.class,
            () -> new DurationRange(Duration.ofSeconds(2), Duration.ofSeconds(1))).getMessage());
  }
}
