package io.backedpipe.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.backedpipe.wire.Frame;
import java.time.Duration;
import java.util.List;
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

/** The chaos link as a stream stage: each fault, one direction observed element by element. */
class ChaosLinkTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration NO_MORE = Duration.ofMillis(200);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** One direction of a link: the test offers elements and a probe sees what passes. */
  private record Direction<T>(SourceQueueWithComplete<T> in, TestProbe<Object> out) {
    void offer(T element) {
      in.offer(element);
    }
  }

  private static <T> Direction<T> top(ChaosLink<T> link) {
    TestProbe<Object> out = testKit.createTestProbe();
    Flow<T, T, NotUsed> topOnly = link.bidi().join(Flow.fromSinkAndSource(
        ActorSink.<Object>actorRef(out.ref(), "completed", e -> "failed: " + e.getMessage())
            .contramap(x -> x),
        Source.<T>never()));
    SourceQueueWithComplete<T> in = Source.<T>queue(16, OverflowStrategy.backpressure())
        .via(topOnly).toMat(Sink.ignore(), Keep.left()).run(testKit.system());
    return new Direction<>(in, out);
  }

  private static ByteString bytes(int n) {
    return ByteString.fromArrayUnsafe(new byte[n]);
  }

  @Test
  void shouldPassEverythingInOrderWhenNothingIsWrong() {
    Direction<ByteString> d = top(ChaosLink.create(Sizer.BYTES, "t"));
    d.offer(ByteString.fromString("a"));
    d.offer(ByteString.fromString("b"));
    d.in().complete();
    assertEquals(ByteString.fromString("a"), d.out().receiveMessage());
    assertEquals(ByteString.fromString("b"), d.out().receiveMessage());
    assertEquals("completed", d.out().receiveMessage());
  }

  @Test
  void shouldFailOnResetAndCompleteOnClose() {
    ChaosLink<ByteString> reset = ChaosLink.create(Sizer.BYTES, "t");
    Direction<ByteString> r = top(reset);
    reset.reset();
    assertEquals("failed: chaos: reset", r.out().receiveMessage());
    ChaosLink<ByteString> closed = ChaosLink.create(Sizer.BYTES, "t");
    Direction<ByteString> c = top(closed);
    closed.close();
    assertEquals("completed", c.out().receiveMessage());
  }

  @Test
  void shouldHoldEverythingInABlackholeUntilOpened() {
    ChaosLink<ByteString> link = ChaosLink.create(Sizer.BYTES, "t");
    Direction<ByteString> d = top(link);
    link.blackhole();
    d.offer(ByteString.fromString("held"));
    d.out().expectNoMessage(NO_MORE);
    link.open();
    assertEquals(ByteString.fromString("held"), d.out().receiveMessage());
  }

  /** Regression (found in review): a stall that replaced a blackhole left the held element stuck. */
  @Test
  void shouldReleaseAnElementHeldByABlackholeThatAStallReplaced() {
    ChaosLink<ByteString> link = ChaosLink.create(Sizer.BYTES, "t");
    Direction<ByteString> d = top(link);
    link.blackhole();
    d.offer(ByteString.fromString("held"));
    d.out().expectNoMessage(NO_MORE);
    link.stall(Duration.ofMillis(100));
    assertEquals(ByteString.fromString("held"), d.out().receiveMessage(Duration.ofSeconds(5)));
  }

  @Test
  void shouldReleaseAStalledLinkByItself() {
    ChaosLink<ByteString> link = ChaosLink.create(Sizer.BYTES, "t");
    Direction<ByteString> d = top(link);
    link.stall(Duration.ofMillis(300));
    d.offer(ByteString.fromString("later"));
    assertEquals(ByteString.fromString("later"), d.out().receiveMessage(Duration.ofSeconds(5)));
  }

  @Test
  void shouldPassExactlyTheBytesBeforeACutThenFail() {
    ChaosLink<ByteString> link = ChaosLink.create(Sizer.BYTES, "t");
    Direction<ByteString> d = top(link);
    link.cutAfter(150);
    d.offer(bytes(100));
    d.offer(bytes(100));
    d.offer(bytes(100));
    assertEquals(100, ((ByteString) d.out().receiveMessage()).size());
    assertEquals(50, ((ByteString) d.out().receiveMessage()).size());
    assertEquals("failed: chaos: cut", d.out().receiveMessage());
  }

  @Test
  void shouldCutADataFrameButLetOtherFramesThroughFree() {
    ChaosLink<Frame> link = ChaosLink.create(Sizer.FRAMES, "t");
    Direction<Frame> d = top(link);
    link.cutAfter(3);
    d.offer(new Frame.Ack(7));
    d.offer(new Frame.Data(ByteString.fromString("abcdef")));
    assertEquals(new Frame.Ack(7), d.out().receiveMessage());
    assertEquals(new Frame.Data(ByteString.fromString("abc")), d.out().receiveMessage());
    assertEquals("failed: chaos: cut", d.out().receiveMessage());
  }

  @Test
  void shouldStillDeliverEverythingInOrderWhenDelayedAndLimited() {
    ChaosLink<ByteString> link = ChaosLink.create(Sizer.BYTES, "t");
    Direction<ByteString> d = top(link);
    link.delay(Duration.ofMillis(5));
    link.limit(1_000_000);
    for (String s : List.of("x", "y", "z")) {
      d.offer(ByteString.fromString(s));
    }
    link.unshaped();
    for (String s : List.of("x", "y", "z")) {
      assertEquals(ByteString.fromString(s), d.out().receiveMessage(Duration.ofSeconds(5)));
    }
  }

  @Test
  void shouldRefuseImpossibleSettings() {
    ChaosLink<ByteString> link = ChaosLink.create(Sizer.BYTES, "t");
    assertEquals("bytesPerSecond=0 must be > 0", org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> link.limit(0)).getMessage());
    assertEquals("bytes=-1 must be >= 0", org.junit.jupiter.api.Assertions.assertThrows(
        IllegalArgumentException.class, () -> link.cutAfter(-1)).getMessage());
  }
}
