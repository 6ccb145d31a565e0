package io.backedpipe.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeState;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.testing.ProbeReconnector;
import io.backedpipe.wire.Frame;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The backoff holds until a connection proves itself: a peer that accepts and drops every
 * connection is dialed at the policy's pace, and only a connection that stayed up for
 * {@code stableAfter} or carried progress resets the count. On manual time.
 */
class ProvedConnectionTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());
  private static final Duration STABLE_AFTER = Duration.ofSeconds(5);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static ReconnectPolicy policy() {
    return ReconnectPolicy.backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).withJitter(0)
        .withStableAfter(STABLE_AFTER);
  }

  private static PipeHarness pipe(ReconnectPolicy policy) {
    return PipeHarness.dialing(testKit, PipeHarness.settings(testKit, policy));
  }

  /** Answers the next dial, waits until it is attached, and cuts it: a crash-looping peer. */
  private static PipeEvent.ReconnectFailed attachAndCut(PipeHarness h) {
    PipeHarness.Peer peer = h.answerDial(0);
    h.awaitEvent(PipeEvent.Connected.class);
    peer.link().cut();
    return h.awaitEvent(PipeEvent.ReconnectFailed.class);
  }

  private static void awaitFailedAttempts(PipeHarness h, int expected) {
    h.events.awaitAssert(PipeHarness.TIMEOUT, () -> {
      assertEquals(expected, h.status().failedAttempts());
      return null;
    });
  }

  @Test
  void shouldWaitAGrowingBackoffWhenEveryConnectionIsCutRightAfterAttaching() {
    PipeHarness h = pipe(policy());
    h.connect();
    long[] expectedMs = {100, 200, 400, 800, 1000};
    for (int i = 0; i < expectedMs.length; i++) {
      PipeEvent.ReconnectFailed failed = attachAndCut(h);
      assertEquals(i + 1, failed.attempt());
      assertEquals(Optional.of(Duration.ofMillis(expectedMs[i])), failed.nextAttemptIn());
      assertTrue(failed.error().getMessage().contains("connection lost before it proved itself"),
          failed.error().getMessage());
      manualTime.expectNoMessageFor(Duration.ofMillis(expectedMs[i] - 1), h.dials);
      manualTime.timePasses(Duration.ofMillis(1));
      assertEquals(i + 2, h.awaitEvent(PipeEvent.Reconnecting.class).attempt());
    }
    assertEquals(5, h.status().failedAttempts());
  }

  @Test
  void shouldStopAfterMaxAttemptsConnectionsThatNeverProvedThemselves() {
    PipeHarness h = pipe(policy().withMaxAttempts(2));
    h.connect();
    assertEquals(Optional.of(Duration.ofMillis(100)), attachAndCut(h).nextAttemptIn());
    manualTime.timePasses(Duration.ofMillis(100));
    PipeEvent.ReconnectFailed last = attachAndCut(h);
    assertEquals(2, last.attempt());
    assertEquals(Optional.empty(), last.nextAttemptIn());
    manualTime.timePasses(Duration.ofSeconds(10));
    h.dials.expectNoMessage(Duration.ofMillis(100));
    assertEquals(PipeState.DISCONNECTED, h.status().state());
  }

  @Test
  void shouldGiveUpOnTimeWhileConnectionsComeAndGoWithoutProvingThemselves() {
    PipeHarness h = pipe(policy().withGiveUpAfter(Duration.ofMillis(250)));
    h.connect();
    attachAndCut(h); // the give-up clock starts at this first loss
    manualTime.timePasses(Duration.ofMillis(100));
    PipeHarness.Peer peer = h.answerDial(0);
    h.awaitEvent(PipeEvent.Connected.class);
    manualTime.timePasses(Duration.ofMillis(150)); // the give-up time passes while connected
    h.status(); // the tick has been handled
    peer.link().cut();
    PipeEvent.ReconnectFailed last = h.awaitEvent(PipeEvent.ReconnectFailed.class);
    assertEquals(2, last.attempt());
    assertEquals(Optional.empty(), last.nextAttemptIn());
    manualTime.timePasses(Duration.ofSeconds(5));
    h.dials.expectNoMessage(Duration.ofMillis(100));
  }

  @Test
  void shouldReconnectAtOnceAfterLosingAConnectionThatStayedUpPastStableAfter() {
    PipeHarness h = pipe(policy());
    h.connect();
    attachAndCut(h);
    manualTime.timePasses(Duration.ofMillis(100));
    attachAndCut(h);
    manualTime.timePasses(Duration.ofMillis(200));
    PipeHarness.Peer steady = h.answerDial(0);
    h.awaitEvent(PipeEvent.Connected.class);
    manualTime.timePasses(STABLE_AFTER.minusMillis(1));
    assertEquals(2, h.status().failedAttempts());
    manualTime.timePasses(Duration.ofMillis(1));
    awaitFailedAttempts(h, 0);
    steady.link().cut();
    h.awaitEvent(PipeEvent.Disconnected.class);
    assertEquals(1, h.awaitEvent(PipeEvent.Reconnecting.class).attempt());
    h.answerDial(0); // at once: no time passed
    h.awaitEvent(PipeEvent.Connected.class);
  }

  @Test
  void shouldResetTheBackoffWhenTheConnectionCarriesDataFromThePeer() {
    PipeHarness h = pipe(policy());
    h.connect();
    attachAndCut(h);
    manualTime.timePasses(Duration.ofMillis(100));
    PipeHarness.Peer peer = h.answerDial(0);
    h.awaitEvent(PipeEvent.Connected.class);
    assertEquals(1, h.status().failedAttempts());
    peer.send("news");
    awaitFailedAttempts(h, 0);
    peer.link().cut();
    assertEquals(1, h.awaitEvent(PipeEvent.Reconnecting.class).attempt());
    h.answerDial(4);
  }

  @Test
  void shouldResetTheBackoffWhenThePeerAcknowledgesNewBytes() {
    PipeHarness h = pipe(policy());
    h.connect();
    attachAndCut(h);
    manualTime.timePasses(Duration.ofMillis(100));
    PipeHarness.Peer peer = h.answerDial(0);
    h.awaitEvent(PipeEvent.Connected.class);
    Source.single(ByteString.fromString("hello")).runWith(PipeStreams.sink(h.pipe),
        testKit.system());
    peer.receiveData(5);
    peer.end().send(new Frame.Ack(0)); // a repeated ack is no progress
    h.status();
    assertEquals(1, h.status().failedAttempts());
    peer.end().send(new Frame.Ack(5));
    awaitFailedAttempts(h, 0);
    peer.link().cut();
    assertEquals(1, h.awaitEvent(PipeEvent.Reconnecting.class).attempt());
  }

  @Test
  void shouldResetAtAttachWhenStableAfterIsZero() {
    PipeHarness h = pipe(policy().withStableAfter(Duration.ZERO));
    h.connect();
    h.dials.expectMessageClass(ProbeReconnector.Request.class).fail(new IOException("down"));
    h.awaitEvent(PipeEvent.ReconnectFailed.class);
    manualTime.timePasses(Duration.ofMillis(100));
    PipeHarness.Peer peer = h.answerDial(0);
    h.awaitEvent(PipeEvent.Connected.class);
    assertEquals(0, h.status().failedAttempts());
    peer.link().cut();
    assertEquals(1, h.awaitEvent(PipeEvent.Reconnecting.class).attempt());
  }
}
