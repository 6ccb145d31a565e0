package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
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
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The byte layer of a connection's stack, alone: {@link LinkLiveness} (a silent socket fails both
 * ways). Queues stand in for what arrives from above and below, probes receive what leaves. The
 * heartbeat is the handshake stage's once it is over ({@code HandshakeStagesTest}).
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
    /** The layer's materialized value. */
    final Object value;

    Wired(Graph<BidiShape<T, T, T, T>, ?> layer) {
      WiredBidi<T, ?, CompletionStage<Done>> wired = new WiredBidi<>(testKit.system(), layer,
          Sink.<T>foreach(down.ref()::tell), up.ref());
      fromAbove = wired.fromAbove;
      value = wired.value;
      downDone = wired.below;
      fromBelow = wired.fromBelow;
      upDone = wired.aboveDone;
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

  private static ByteString bytes(String s) {
    return ByteString.fromString(s);
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

  @SuppressWarnings("unchecked")
  private static Optional<ByteString> firstBytes(Wired<ByteString> l) throws Exception {
    return ((CompletionStage<Optional<ByteString>>) l.value).toCompletableFuture()
        .get(LONG.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void shouldKeepOnlyThePeersFirstBytesItWasAskedFor() throws Exception {
    Wired<ByteString> l = new Wired<>(new LinkLiveness(Duration.ofMinutes(1), 4));
    l.below(bytes("SSH-2.0-OpenSSH"), bytes("more"));
    l.up.expectMessage(bytes("SSH-2.0-OpenSSH")); // passed on whole
    l.up.expectMessage(bytes("more"));
    assertEquals(Optional.of(bytes("SSH-")), firstBytes(l));
  }

  @Test
  void shouldHaveNoFirstBytesWhenThePeerEndedWithoutAny() throws Exception {
    Wired<ByteString> l = new Wired<>(new LinkLiveness(Duration.ofMinutes(1), 4));
    l.fromBelow.complete();
    done(l.upDone);
    l.fromAbove.complete();
    done(l.downDone);
    assertEquals(Optional.empty(), firstBytes(l));
  }

  @Test
  void shouldKeepNoBytesWhenNotAsked() throws Exception {
    Wired<ByteString> l = new Wired<>(new LinkLiveness(Duration.ofMinutes(1)));
    assertEquals(Optional.empty(), firstBytes(l)); // at once, while the connection runs
    l.below(bytes("x"));
    l.up.expectMessage(bytes("x"));
  }
}
