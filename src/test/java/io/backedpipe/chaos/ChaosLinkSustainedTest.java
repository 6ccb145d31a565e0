package io.backedpipe.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.wire.Frame;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Sustained conditions on a chaos link, in real time: a bandwidth limit that holds its rate and
 * lets large elements through, a latency that is pipelined, a long blackhole that loses and closes
 * nothing. Bounds are asserted only where they cannot flake: the limit is an upper bound on bytes
 * by a time measured from before the bytes were sent, latency a lower bound on each arrival.
 */
class ChaosLinkSustainedTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration LONG_WAIT = Duration.ofSeconds(15);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** One direction of a link: the test offers elements and a probe sees what passes. */
  private record Direction<T>(SourceQueueWithComplete<T> in, TestProbe<Object> out) {
    void offer(T element) {
      in.offer(element);
    }

    <E> E next(Class<E> type) {
      return type.cast(out.receiveMessage(LONG_WAIT));
    }
  }

  private static <T> Direction<T> top(ChaosLink<T> link) {
    TestProbe<Object> out = testKit.createTestProbe();
    Flow<T, T, NotUsed> topOnly = link.bidi().join(Flow.fromSinkAndSource(
        ActorSink.<Object>actorRef(out.ref(), "completed", e -> "failed: " + e.getMessage())
            .contramap(x -> x),
        Source.<T>never()));
    SourceQueueWithComplete<T> in = Source.<T>queue(256, OverflowStrategy.backpressure())
        .via(topOnly).toMat(Sink.ignore(), Keep.left()).run(testKit.system());
    return new Direction<>(in, out);
  }

  private static ByteString random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }

  /**
   * 256 KiB as one element and as many small ones at 64 KiB/s: never more than the burst plus
   * rate * time by the moment the test sees them, every byte in order, and all of it in a generous
   * three times the expected 4 s.
   */
  @Test
  void shouldPassBytesAtTheLimitedRateAndSplitALargeElement() {
    long rate = 64 * 1024;
    ChaosLink<ByteString> link = ChaosLink.create(Sizer.BYTES, "rate");
    long start = System.nanoTime();
    link.limit(rate);
    Direction<ByteString> d = top(link);
    ByteString large = random(128 * 1024, 1);
    ByteString small = random(128 * 1024, 2);
    d.offer(large);
    for (int i = 0; i < small.size(); i += 1024) {
      d.offer(small.slice(i, i + 1024));
    }
    ByteString received = ByteString.emptyByteString();
    long burst = TokenBucket.burstBytes(rate);
    int largest = 0;
    while (received.size() < large.size() + small.size()) {
      ByteString piece = d.next(ByteString.class);
      largest = Math.max(largest, piece.size());
      received = received.concat(piece);
      double elapsed = (System.nanoTime() - start) / 1e9;
      assertTrue(received.size() <= burst + rate * elapsed,
          received.size() + " bytes after " + elapsed + " s");
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertEquals(large.concat(small), received);
    assertTrue(largest <= TokenBucket.pieceBytes(rate), "largest piece " + largest);
    assertTrue(seconds < 12, "took " + seconds + " s");
    System.out.printf("limit %d B/s: %d bytes in %.2f s = %.0f B/s%n", rate, received.size(),
        seconds, received.size() / seconds);
  }

  /** A frame cannot be split: a DATA frame of four seconds' budget waits, then passes whole. */
  @Test
  void shouldLetAFrameLargerThanASecondsBudgetPassWholeAfterItsTime() {
    long rate = 16 * 1024;
    ChaosLink<Frame> link = ChaosLink.create(Sizer.FRAMES, "frames");
    long start = System.nanoTime();
    link.limit(rate);
    Direction<Frame> d = top(link);
    Frame.Data data = new Frame.Data(random(32 * 1024, 3));
    d.offer(data);
    d.offer(new Frame.Ack(9));
    assertEquals(data, d.next(Frame.class));
    double elapsed = (System.nanoTime() - start) / 1e9;
    assertTrue(elapsed >= (data.payload().size() - TokenBucket.burstBytes(rate)) / (double) rate,
        "after " + elapsed + " s");
    assertEquals(new Frame.Ack(9), d.next(Frame.class));
  }

  /**
   * 200 elements sent together through 300 ms of delay arrive in order, none before its delay, and
   * all of them long before 200 serial delays (a minute) would have passed.
   */
  @Test
  void shouldPipelineTheDelay() {
    Duration delay = Duration.ofMillis(300);
    int count = 200;
    ChaosLink<ByteString> link = ChaosLink.create(Sizer.BYTES, "delay");
    link.delay(delay);
    Direction<ByteString> d = top(link);
    long start = System.nanoTime();
    for (int i = 0; i < count; i++) {
      d.offer(ByteString.fromString(Integer.toString(i)));
    }
    for (int i = 0; i < count; i++) {
      assertEquals(ByteString.fromString(Integer.toString(i)), d.next(ByteString.class));
      if (i == 0) {
        assertTrue(System.nanoTime() - start >= delay.toNanos(), "before its delay");
      }
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    assertTrue(seconds < count * 0.3 / 2, "took " + seconds + " s");
    System.out.printf("%d elements through %s of delay: %.3f s%n", count,
        io.backedpipe.wire.HumanText.duration(delay), seconds);
  }

  /** A slow, long link: 150 ms and 64 KiB/s together still deliver every byte in order. */
  @Test
  void shouldCombineDelayAndLimitIntoASlowLongLink() {
    ChaosLink<ByteString> link = ChaosLink.create(Sizer.BYTES, "slow-long");
    link.shape(Duration.ofMillis(150), 64 * 1024);
    Direction<ByteString> d = top(link);
    long start = System.nanoTime();
    ByteString sent = random(48 * 1024, 4);
    d.offer(sent);
    ByteString first = d.next(ByteString.class);
    assertTrue(System.nanoTime() - start >= Duration.ofMillis(150).toNanos(), "before its delay");
    ByteString received = first;
    while (received.size() < sent.size()) {
      received = received.concat(d.next(ByteString.class));
    }
    assertEquals(sent, received);
  }

  /**
   * A 3 s blackhole on a shaped link: nothing arrives, nothing closes or fails, both ends stay
   * open; afterwards everything, including what was on the wire, arrives in order.
   */
  @Test
  void shouldDeliverNothingAndCloseNothingDuringALongBlackhole() {
    ChaosLink<ByteString> link = ChaosLink.create(Sizer.BYTES, "loss");
    link.shape(Duration.ofMillis(100), 64 * 1024);
    Direction<ByteString> d = top(link);
    d.offer(ByteString.fromString("before"));
    assertEquals(ByteString.fromString("before"), d.next(ByteString.class));
    d.offer(ByteString.fromString("in flight"));
    link.blackhole();
    List<ByteString> held = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      held.add(ByteString.fromString("held " + i));
      d.offer(held.get(i));
    }
    d.out().expectNoMessage(Duration.ofSeconds(3));
    assertFalse(d.in().watchCompletion().toCompletableFuture().isDone(), "upstream ended");
    link.open();
    ByteString expected = ByteString.fromString("in flight");
    for (ByteString h : held) {
      expected = expected.concat(h);
    }
    ByteString received = ByteString.emptyByteString();
    while (received.size() < expected.size()) {
      received = received.concat(d.next(ByteString.class));
    }
    assertEquals(expected, received);
  }

  /** A 3 s stall ends by itself and loses nothing. */
  @Test
  void shouldEndALongStallByItself() {
    ChaosLink<ByteString> link = ChaosLink.create(Sizer.BYTES, "stall");
    Direction<ByteString> d = top(link);
    long start = System.nanoTime();
    link.stall(Duration.ofSeconds(3));
    d.offer(ByteString.fromString("later"));
    assertEquals(ByteString.fromString("later"), d.next(ByteString.class));
    assertTrue(System.nanoTime() - start >= Duration.ofSeconds(3).toNanos(), "stall too short");
  }
}
