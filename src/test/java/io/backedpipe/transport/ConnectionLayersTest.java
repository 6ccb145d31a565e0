package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.backedpipe.wire.Frame;
import java.io.IOException;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The two single-stage layers of a connection's stack, alone: {@link Heartbeat} (PINGs out when
 * idle, PING and PONG kept from the pipe) and {@link LinkLiveness} (a silent socket fails both
 * ways). Queues stand in for what arrives from above and below, probes receive what leaves.
 */
class ConnectionLayersTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration LONG = Duration.ofSeconds(10);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A layer between two queues (from above, from below) and two probes (down, up). */
  private static final class Wired<T> {
    final TestProbe<T> down = testKit.createTestProbe();
    final TestProbe<T> up = testKit.createTestProbe();
    final BoundedSourceQueue<T> fromAbove;
    final BoundedSourceQueue<T> fromBelow;
    final CompletionStage<Done> downDone;
    final CompletionStage<Done> upDone;

    Wired(Graph<BidiShape<T, T, T, T>, ?> layer) {
      var below = Flow.fromSinkAndSourceMat(
          Sink.<T>foreach(down.ref()::tell), Source.<T>queue(16), Keep.both());
      var run = Source.<T>queue(16)
          .viaMat(BidiFlow.fromGraph(layer).join(below, Keep.right()), Keep.both())
          .toMat(Sink.<T>foreach(up.ref()::tell), Keep.both())
          .run(testKit.system());
      fromAbove = run.first().first();
      downDone = run.first().second().first();
      fromBelow = run.first().second().second();
      upDone = run.second();
    }

    @SafeVarargs
    final void above(T... elements) {
      for (T e : elements) {
        assertEquals(QueueOfferResult.enqueued(), fromAbove.offer(e));
      }
    }

    @SafeVarargs
    final void below(T... elements) {
      for (T e : elements) {
        assertEquals(QueueOfferResult.enqueued(), fromBelow.offer(e));
      }
    }
  }

  private static Throwable failure(CompletionStage<Done> stage) {
    return assertThrows(ExecutionException.class,
        () -> stage.toCompletableFuture().get(LONG.toSeconds(), TimeUnit.SECONDS)).getCause();
  }

  private static void done(CompletionStage<Done> stage) throws Exception {
    stage.toCompletableFuture().get(LONG.toSeconds(), TimeUnit.SECONDS);
  }

  private static Frame data(String s) {
    return new Frame.Data(ByteString.fromString(s));
  }

  private static ByteString bytes(String s) {
    return ByteString.fromString(s);
  }

  @Test
  void shouldPingWhenNothingWasSentForTheInterval() {
    Wired<Frame> h = new Wired<>(new Heartbeat(Duration.ofMillis(100)));
    h.above(data("a"));
    h.down.expectMessage(data("a"));
    h.down.expectMessage(LONG, new Frame.Ping(0));
    h.down.expectMessage(LONG, new Frame.Ping(0)); // and again, for as long as it stays idle
    h.above(data("b"));
    h.down.fishForMessage(LONG, f -> f.equals(data("b"))
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore());
  }

  @Test
  void shouldKeepThePeersPingsAndPongsFromThePipe() {
    Wired<Frame> h = new Wired<>(new Heartbeat(Duration.ofMinutes(1)));
    h.below(new Frame.Ping(0), data("x"), new Frame.Pong(0), data("y"));
    h.up.expectMessage(data("x"));
    h.up.expectMessage(data("y"));
  }

  @Test
  void shouldKeepSendingAfterThePeerEndedItsSide() throws Exception {
    Wired<Frame> h = new Wired<>(new Heartbeat(Duration.ofMinutes(1)));
    h.fromBelow.complete();
    done(h.upDone);
    h.above(data("still"));
    h.down.expectMessage(data("still"));
    h.fromAbove.complete();
    done(h.downDone);
  }

  @Test
  void shouldHandThePeersFailureToThePipeAndKeepTheWayOut() {
    Wired<Frame> h = new Wired<>(new Heartbeat(Duration.ofMinutes(1)));
    h.fromBelow.fail(new IOException("bad frame"));
    assertEquals("bad frame", failure(h.upDone).getMessage());
    h.above(data("farewell"));
    h.down.expectMessage(data("farewell"));
  }

  @Test
  void shouldFailBothWaysWhenNoByteArrivesForTheTimeout() {
    Wired<ByteString> l = new Wired<>(new LinkLiveness(Duration.ofMillis(200)));
    l.above(bytes("out"));
    l.down.expectMessage(bytes("out")); // bytes going out do not keep a link alive
    assertInstanceOf(LinkSilentException.class, failure(l.upDone));
    assertInstanceOf(LinkSilentException.class, failure(l.downDone));
  }

  @Test
  void shouldStayAliveWhileBytesArrive() {
    Wired<ByteString> l = new Wired<>(new LinkLiveness(Duration.ofSeconds(1)));
    // 3 s of bytes, one every 100 ms: three timeouts' worth, each time a byte came in between
    for (int i = 0; i < 30; i++) {
      l.below(bytes("b" + i));
      l.up.expectMessage(LONG, bytes("b" + i));
      l.up.expectNoMessage(Duration.ofMillis(100));
    }
    assertFalse(l.upDone.toCompletableFuture().isDone());
  }

  @Test
  void shouldFailTheWayOutWhenTheWayInFails() {
    Wired<ByteString> l = new Wired<>(new LinkLiveness(Duration.ofMinutes(1)));
    l.fromBelow.fail(new IOException("connection reset"));
    assertEquals("connection reset", failure(l.upDone).getMessage());
    assertEquals("connection reset", failure(l.downDone).getMessage());
  }

  @Test
  void shouldKeepTheWayOutOpenAfterThePeersEof() throws Exception {
    Wired<ByteString> l = new Wired<>(new LinkLiveness(Duration.ofMillis(200)));
    l.fromBelow.complete();
    done(l.upDone);
    // no liveness once the peer ended its side: the way out stays open past the timeout
    l.down.expectNoMessage(Duration.ofMillis(400));
    l.above(bytes("late"));
    l.down.expectMessage(bytes("late"));
    l.fromAbove.complete();
    done(l.downDone);
  }
}
