package io.backedpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The handle users hold: one-step spawns, one writer at a time, closes an idle Sink sees, events. */
class BackedPipeTest {
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

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void shouldSpawnAPipeAsAChildOfAnActorInOneStep() throws Exception {
    PipeSettings settings = PipeSettings.create(system);
    TestProbe<BackedPipe> spawned = testKit.createTestProbe();
    Behavior<Void> parent = Behaviors.setup(context -> {
      spawned.ref().tell(BackedPipe.spawnAccepting(context, "pipe", settings));
      return Behaviors.empty();
    });
    ActorRef<Void> owner = testKit.spawn(parent, "owner");
    BackedPipe pipe = spawned.receiveMessage();
    assertEquals(owner.path().child("pipe"), pipe.ref().path());
    assertEquals(PipeState.DISCONNECTED, await(pipe.status()).state());
  }

  @Test
  void shouldRefuseASecondSinkWhileOneIsWritingAndTakeANewOneAfterItStopped() throws Exception {
    BackedPipe client = connectedPair().first();
    Pair<BoundedSourceQueue<ByteString>, CompletionStage<Done>> first =
        Source.<ByteString>queue(4).toMat(client.sink(), Keep.both()).run(system);
    first.first().offer(ByteString.fromString("one"));
    awaitWritten(client, 3); // the first Sink has the writer

    CompletionStage<Done> second = Source.single(ByteString.fromString("two"))
        .runWith(client.sink(), system);
    ExecutionException refused = assertThrows(ExecutionException.class, () -> await(second));
    assertInstanceOf(SinkAlreadyOpenException.class, refused.getCause());

    first.first().fail(new IllegalStateException("producer gave up")); // fails only that Sink
    assertThrows(ExecutionException.class, () -> await(first.second()));
    ByteString three = ByteString.fromString("three");
    CompletionStage<Done> third = Source.single(three).concat(Source.never())
        .runWith(client.sink(), system);
    awaitWritten(client, 8);
    assertEquals(false, third.toCompletableFuture().isDone());
  }

  private static void awaitWritten(BackedPipe pipe, long position) {
    TestProbe<Object> probe = testKit.createTestProbe();
    probe.awaitAssert(() -> {
      assertEquals(position, await(pipe.status()).writePosition());
      return null;
    });
  }

  @Test
  void shouldFailAnIdleSinkAndCancelItsUpstreamWhenThePipeCloses() throws Exception {
    BackedPipe client = connectedPair().first();
    CompletableFuture<Done> upstreamCancelled = new CompletableFuture<>();
    CompletionStage<Done> sink = Source.<ByteString>never()
        .watchTermination((mat, done) -> done.whenComplete((d, e) -> upstreamCancelled.complete(
            Done.getInstance())))
        .runWith(client.sink(), system);
    client.status().toCompletableFuture().get(5, TimeUnit.SECONDS); // the Sink opened by now
    await(client.close());
    ExecutionException error = assertThrows(ExecutionException.class, () -> await(sink));
    assertEquals(DisconnectCause.CLOSED_BY_USER,
        assertInstanceOf(PipeClosedException.class, error.getCause()).closeCause());
    await(upstreamCancelled);
  }

  @Test
  void shouldStreamEventsUntilClosedAndTellALateSubscriberHowThePipeEnded() throws Exception {
    BackedPipe client = connectedPair().first();
    CompletionStage<List<PipeEvent>> events = client.events().runWith(Sink.seq(), system);
    await(client.status()); // subscribed by now
    await(client.close(7, "done here"));
    List<PipeEvent> seen = await(events);
    assertEquals(new PipeEvent.Closed(DisconnectCause.CLOSED_BY_USER, java.util.Optional.empty()),
        seen.get(seen.size() - 1));

    List<PipeEvent> late = await(client.events().runWith(Sink.seq(), system));
    assertEquals(List.of(seen.get(seen.size() - 1)), late);
  }

  @Test
  void shouldCompleteTheSinksValueOnlyOnceThePeerReadEverything() throws Exception {
    Pair<BackedPipe, BackedPipe> pair = connectedPair();
    ByteString hello = ByteString.fromString("hello");
    CompletionStage<Done> delivered = Source.single(hello).runWith(pair.first().sink(), system);
    awaitWritten(pair.first(), 5);
    assertEquals(false, delivered.toCompletableFuture().isDone()); // nobody read it yet
    CompletionStage<ByteString> read = pair.second().source()
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system);
    await(delivered);
    assertEquals(hello, await(read));
  }
}
