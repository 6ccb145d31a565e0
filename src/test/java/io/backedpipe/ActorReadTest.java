package io.backedpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.time.Duration;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Reading a pipe from an actor ({@link BackedPipe#read}): the same guarantees as its Source, a
 * delivery counted only once the actor asks for more, one reader at a time.
 */
class ActorReadTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final ActorSystem<?> system = testKit.system();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A connected client and the accepting pipe it talks to, spawned from the actor system. */
  private static Pair<BackedPipe, BackedPipe> connectedPair() throws Exception {
    return ConnectedPairs.connected(testKit);
  }

  private static void write(BackedPipe pipe, String text) throws Exception {
    // the Sink completes once the peer's reader acknowledged, so only a consumed read completes it
    Source.single(ByteString.fromString(text)).concat(Source.never()).runWith(pipe.sink(), system);
  }

  /** Opens {@code probe} as the pipe's reader and returns the reader it names. */
  private static ActorRef<ReadRequest> open(BackedPipe pipe, TestProbe<ReadReply> probe) {
    pipe.read(probe.ref());
    return probe.expectMessageClass(ReadReply.Opened.class).reader();
  }

  /**
   * Opens {@code actor} as the server's reader, has the client write {@code text}, and asks for
   * it once; the delivery is not yet shown consumed.
   */
  private static ActorRef<ReadRequest> deliveredOnce(Pair<BackedPipe, BackedPipe> pair,
      TestProbe<ReadReply> actor, String text) throws Exception {
    ActorRef<ReadRequest> reader = open(pair.second(), actor);
    write(pair.first(), text);
    reader.tell(new ReadRequest.Demand(actor.ref()));
    assertEquals(ByteString.fromString(text),
        actor.expectMessageClass(ReadReply.Delivered.class).bytes());
    return reader;
  }

  @Test
  void shouldDeliverOnDemandAndCountADeliveryOnlyOnceTheActorAsksForMore() throws Exception {
    Pair<BackedPipe, BackedPipe> pair = connectedPair();
    TestProbe<ReadReply> actor = testKit.createTestProbe();
    ActorRef<ReadRequest> reader = open(pair.second(), actor);
    write(pair.first(), "hello");

    actor.expectNoMessage(Duration.ofMillis(100)); // nothing comes unasked
    reader.tell(new ReadRequest.Demand(actor.ref()));
    assertEquals(ByteString.fromString("hello"),
        actor.expectMessageClass(ReadReply.Delivered.class).bytes());
    assertEquals(0, await(pair.second()).readPosition(), "not consumed until asked for more");

    reader.tell(new ReadRequest.Demand(actor.ref()));
    testKit.createTestProbe().awaitAssert(() -> {
      assertEquals(5, await(pair.second()).readPosition());
      return null;
    });
  }

  @Test
  void shouldHandWhatACancelledActorDidNotConsumeToTheNextReader() throws Exception {
    Pair<BackedPipe, BackedPipe> pair = connectedPair();
    TestProbe<ReadReply> actor = testKit.createTestProbe();
    ActorRef<ReadRequest> reader = deliveredOnce(pair, actor, "kept");
    reader.tell(new ReadRequest.Cancel(actor.ref(), false)); // say it was not passed on

    ByteString next = pair.second().source().runWith(Sink.head(), system)
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(ByteString.fromString("kept"), next);
  }

  @Test
  void shouldHandWhatAStoppedActorDidNotConsumeToTheNextReader() throws Exception {
    Pair<BackedPipe, BackedPipe> pair = connectedPair();
    TestProbe<ReadReply> actor = testKit.createTestProbe();
    deliveredOnce(pair, actor, "unread");
    actor.stop(); // fails before it could ask for more or cancel

    // the pipe hears of the stop by death watch, a moment later: until then a Source is refused
    ByteString next = testKit.createTestProbe().awaitAssert(Duration.ofSeconds(5), () -> {
      try {
        return pair.second().source().runWith(Sink.head(), system)
            .toCompletableFuture().get(5, TimeUnit.SECONDS);
      } catch (InterruptedException | ExecutionException | TimeoutException e) {
        throw new AssertionError("no reader yet", e);
      }
    });
    assertEquals(ByteString.fromString("unread"), next);
  }

  @Test
  void shouldRefuseANullReaderAtTheCallerAndKeepThePipe() throws Exception {
    BackedPipe pipe = connectedPair().second();
    assertThrows(NullPointerException.class, () -> pipe.read(null));
    assertEquals(PipeState.CONNECTED, await(pipe).state());
  }

  @Test
  void shouldRefuseASecondReaderWhileOneIsOpenWhetherSourceOrActor() throws Exception {
    Pair<BackedPipe, BackedPipe> pair = connectedPair();
    TestProbe<ReadReply> first = testKit.createTestProbe();
    open(pair.second(), first);

    TestProbe<ReadReply> second = testKit.createTestProbe();
    pair.second().read(second.ref());
    assertInstanceOf(SourceAlreadyOpenException.class,
        second.expectMessageClass(ReadReply.Failed.class).error());
    ExecutionException sourceFailed = assertThrows(ExecutionException.class,
        () -> pair.second().source().runWith(Sink.ignore(), system)
            .toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertInstanceOf(SourceAlreadyOpenException.class, sourceFailed.getCause());
  }

  @Test
  void shouldCompleteTheReaderWhenThePipeIsClosedAndAnswerALateOneAtOnce() throws Exception {
    Pair<BackedPipe, BackedPipe> pair = connectedPair();
    TestProbe<ReadReply> actor = testKit.createTestProbe();
    open(pair.second(), actor);
    pair.second().close().toCompletableFuture().get(5, TimeUnit.SECONDS);
    actor.expectMessage(ReadReply.Completed.INSTANCE);

    TestProbe<ReadReply> late = testKit.createTestProbe();
    pair.second().read(late.ref());
    late.expectMessage(ReadReply.Completed.INSTANCE);
  }

  private static PipeStatus await(BackedPipe pipe) throws Exception {
    return pipe.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
