package io.backedpipe.pipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import com.typesafe.config.ConfigFactory;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.wire.Frame;
import java.time.Duration;
import java.util.HashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A peer that keeps the connection but never acknowledges becomes visible: {@code PeerStalled}
 * after {@code ack-stall-timeout}, once, {@code PeerResumed} when acks move again, and the status
 * shows how long acks have not moved. The test plays the peer; manual time drives the pipe's timer
 * and a clock the test moves along with it.
 */
class AckStallTest {
  private static final ActorTestKit testKit = ActorTestKit.create(
      ManualTime.config().withFallback(ConfigFactory.load("application-test")));
  private static final ManualTime manualTime = ManualTime.get(testKit.system());
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  private static final Duration NO_MORE = Duration.ofMillis(100);

  private final AtomicLong nowNs = new AtomicLong();
  private final Map<PipeHarness, BoundedSourceQueue<ByteString>> writes = new HashMap<>();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private PipeHarness pipe(Duration ackStallTimeout) {
    PipeSettings settings = PipeHarness.settings(testKit, ReconnectPolicy.singleAttempt())
        .withAckStallTimeout(ackStallTimeout);
    return PipeHarness.dialing(testKit, settings, nowNs::get);
  }

  /** Connects and takes the connect events off the probe. */
  private static PipeHarness.Peer connect(PipeHarness h) {
    PipeHarness.Peer peer = h.connected(0);
    h.awaitEvent(PipeEvent.Connected.class);
    return peer;
  }

  /** Writes through one open Sink per pipe: completing a Sink would end the pipe's output. */
  private void write(PipeHarness h, String text) {
    writes.computeIfAbsent(h, p -> Source.<ByteString>queue(8)
            .to(PipeStreams.sink(p.pipe)).run(testKit.system()))
        .offer(ByteString.fromString(text));
  }

  /** Moves the pipe's timers and its clock together. */
  private void pass(Duration duration) {
    nowNs.addAndGet(duration.toNanos());
    manualTime.timePasses(duration);
  }

  /** Whatever a timer made the writer report has reached the subscribers: nothing did. */
  private static void expectNoEvent(PipeHarness h) {
    h.status();
    h.status();
    h.events.expectNoMessage(NO_MORE);
  }

  @Test
  void shouldReportAPeerThatNeverAcknowledgesOnceAndItsResumption() {
    PipeHarness h = pipe(TIMEOUT);
    PipeHarness.Peer peer = connect(h);
    write(h, "hello");
    peer.receiveData(5);
    assertEquals(Optional.of(Duration.ZERO), h.status().ackStalledFor());

    pass(TIMEOUT.minusMillis(1));
    expectNoEvent(h);
    pass(Duration.ofMillis(1));
    assertEquals(new PipeEvent.PeerStalled(1, 5, TIMEOUT), h.events.receiveMessage());
    assertEquals(Optional.of(TIMEOUT), h.status().ackStalledFor());

    pass(Duration.ofSeconds(40));
    expectNoEvent(h); // once per stall
    assertEquals(Optional.of(Duration.ofSeconds(70)), h.status().ackStalledFor());

    peer.end().send(new Frame.Ack(5));
    assertEquals(new PipeEvent.PeerResumed(1, Duration.ofSeconds(70)),
        h.events.receiveMessage());
    assertEquals(Optional.empty(), h.status().ackStalledFor()); // nothing waits any more
  }

  @Test
  void shouldCountTheStallFromTheLastAckThatMovedTheWindow() {
    PipeHarness h = pipe(TIMEOUT);
    PipeHarness.Peer peer = connect(h);
    write(h, "abc");
    peer.receiveData(3);
    h.status(); // the writer has armed its timer (it sends the data first)
    pass(Duration.ofSeconds(20));
    write(h, "def");
    peer.receiveData(3);
    peer.end().send(new Frame.Ack(3)); // progress at 20 s; "def" still waits
    h.events.awaitAssert(() -> {
      assertEquals(3, h.status().ackedPosition());
      return null;
    });
    pass(Duration.ofSeconds(29));
    expectNoEvent(h);
    assertEquals(Optional.of(Duration.ofSeconds(29)), h.status().ackStalledFor());
    pass(Duration.ofSeconds(1));
    assertEquals(new PipeEvent.PeerStalled(1, 3, TIMEOUT), h.events.receiveMessage());
  }

  @Test
  void shouldNotCountTimeWithoutAConnectionOrWithNothingWaiting() {
    PipeHarness h = pipe(TIMEOUT);
    write(h, "early");
    h.events.awaitAssert(() -> {
      assertEquals(5, h.status().writePosition());
      return null;
    });
    pass(Duration.ofMinutes(2)); // disconnected: the peer cannot be blamed
    assertEquals(Optional.empty(), h.status().ackStalledFor());
    PipeHarness.Peer peer = connect(h);
    peer.receiveData(5);
    peer.end().send(new Frame.Ack(5));
    h.events.awaitAssert(() -> {
      assertEquals(5, h.status().ackedPosition());
      return null;
    });
    pass(Duration.ofMinutes(2)); // everything acknowledged: nothing waits
    expectNoEvent(h);
    assertEquals(Optional.empty(), h.status().ackStalledFor());
  }

  @Test
  void shouldEndTheWatchWithTheConnectionAndStartAfreshOnTheNext() {
    PipeHarness h = PipeHarness.dialing(testKit, PipeHarness.settings(testKit,
        PipeHarness.fastRetries().withStableAfter(Duration.ZERO)).withAckStallTimeout(TIMEOUT),
        nowNs::get);
    PipeHarness.Peer first = connect(h);
    write(h, "stuck");
    first.receiveData(5);
    h.status(); // the writer has armed its timer (it sends the data first)
    pass(TIMEOUT);
    assertInstanceOf(PipeEvent.PeerStalled.class, h.events.receiveMessage());
    first.link().cut();
    assertInstanceOf(PipeEvent.Disconnected.class, h.awaitEvent(PipeEvent.Disconnected.class));
    PipeHarness.Peer second = h.answerDial(0);
    h.awaitEvent(PipeEvent.Connected.class);
    second.receiveData(5); // the replay
    assertEquals(Optional.of(Duration.ZERO), h.status().ackStalledFor());
    pass(TIMEOUT);
    assertEquals(new PipeEvent.PeerStalled(2, 5, TIMEOUT), h.events.receiveMessage());
  }

  @Test
  void shouldStaySilentWhenTheTimeoutIsZero() {
    PipeHarness h = pipe(Duration.ZERO);
    PipeHarness.Peer peer = connect(h);
    write(h, "hello");
    peer.receiveData(5);
    h.status();
    pass(Duration.ofHours(1));
    expectNoEvent(h);
    assertEquals(Optional.empty(), h.status().ackStalledFor());
  }
}
