package io.backedpipe.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.backedpipe.PipeEvent;
import io.backedpipe.PipeState;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.testing.ProbeReconnector;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.Done;
import com.typesafe.config.ConfigFactory;
import io.backedpipe.PipeCommand;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Backoff and give-up timing, on manual time: no test here waits for a real clock. */
class ReconnectTimingTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static ReconnectPolicy policy() {
    return ReconnectPolicy.backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).withJitter(0);
  }

  private static void failNextDial(PipeHarness h) {
    h.dials.expectMessageClass(ProbeReconnector.Request.class).fail(new IOException("down"));
  }

  @Test
  void shouldWaitTheBackoffBeforeEachRetry() {
    PipeHarness h = PipeHarness.dialing(testKit, PipeHarness.settings(testKit, policy()));
    h.connect();
    failNextDial(h);
    assertEquals(Optional.of(Duration.ofMillis(100)),
        h.awaitEvent(PipeEvent.ReconnectFailed.class).nextAttemptIn());
    manualTime.expectNoMessageFor(Duration.ofMillis(99), h.dials);
    manualTime.timePasses(Duration.ofMillis(1));
    failNextDial(h);
    assertEquals(Optional.of(Duration.ofMillis(200)),
        h.awaitEvent(PipeEvent.ReconnectFailed.class).nextAttemptIn());
    manualTime.expectNoMessageFor(Duration.ofMillis(199), h.dials);
    manualTime.timePasses(Duration.ofMillis(1));
    h.answerDial(0);
    h.awaitEvent(PipeEvent.Connected.class);
  }

  @Test
  void shouldStopRetryingOnceTheGiveUpTimeHasPassed() {
    PipeHarness h = PipeHarness.dialing(testKit, PipeHarness.settings(testKit,
        policy().withGiveUpAfter(Duration.ofMillis(250))));
    PipeHarness.Peer peer = h.connected(0);
    h.awaitProved(peer);
    peer.link().cut();
    failNextDial(h);
    h.awaitEvent(PipeEvent.ReconnectFailed.class);
    manualTime.timePasses(Duration.ofMillis(100));
    failNextDial(h);
    h.awaitEvent(PipeEvent.ReconnectFailed.class);
    manualTime.timePasses(Duration.ofMillis(150));
    PipeEvent.ReconnectFailed gaveUp = h.awaitEvent(PipeEvent.ReconnectFailed.class);
    assertEquals(Optional.empty(), gaveUp.nextAttemptIn()); // subscribers learn none will follow
    org.junit.jupiter.api.Assertions.assertTrue(gaveUp.error().getMessage()
        .startsWith("reconnect failed: attempt=2 detail=gave up: giveUpAfter=250ms cause="),
        gaveUp.error().getMessage());
    manualTime.timePasses(Duration.ofSeconds(5));
    h.dials.expectNoMessage(Duration.ofMillis(100));
    assertEquals(PipeState.DISCONNECTED, h.status().state());
    TestProbe<StatusReply<Done>> manual = h.connect();
    h.answerDial(0);
    assertEquals(StatusReply.ack(), manual.receiveMessage());
  }

  @Test
  void shouldCountAnAttemptThatNeverAnswersAsFailedAfterItsTimeout() {
    PipeHarness h = PipeHarness.dialing(testKit, PipeHarness.settings(testKit,
        policy().withAttemptTimeout(Duration.ofSeconds(3)).withMaxAttempts(1)));
    TestProbe<StatusReply<Done>> replies = h.connect();
    h.dials.expectMessageClass(ProbeReconnector.Request.class);
    manualTime.expectNoMessageFor(Duration.ofMillis(2999), replies);
    manualTime.timePasses(Duration.ofMillis(1));
    assertEquals("reconnect failed: attempt=1 detail=timed out: attemptTimeout=3s",
        replies.receiveMessage().getError().getMessage());
    ActorRef<PipeCommand> pipe = h.pipe;
    assertEquals(PipeState.DISCONNECTED, h.status().state(), pipe.path().toString());
  }
}
