package io.backedpipe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeCommand;
import io.backedpipe.PipeSettings;
import io.backedpipe.PipeStatus;
import io.backedpipe.ReconnectPolicy;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** Two pipes joined in memory, as a user would join them in a test, through many faults. */
class PipePairTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static PipeSettings settings() {
    return PipeSettings.create(testKit.system())
        .withWindowBytes(64 * 1024)
        .withReadBufferBytes(64 * 1024) // the tightest legal setting: exactly one peer window
        .withAcks(16 * 1024, Duration.ofMillis(5))
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(5)));
  }

  /** A server (accepting) and a client (dialing) pipe, and the links the client makes. */
  private record Pair(BackedPipe client, BackedPipe server, TestProbe<TestLink> links) {
    static Pair start() {
      ActorRef<PipeCommand> server =
          testKit.spawn(BackedPipe.createAccepting(settings()));
      TestProbe<TestLink> links = testKit.createTestProbe();
      ActorRef<PipeCommand> client = testKit.spawn(BackedPipe.create(
          new InMemoryReconnector(testKit.system(), server, links.ref()), settings()));
      return new Pair(BackedPipe.of(client, testKit.system()),
          BackedPipe.of(server, testKit.system()), links);
    }
  }

  private static SourceQueueWithComplete<ByteString> writer(BackedPipe pipe) {
    return Source.<ByteString>queue(16, OverflowStrategy.backpressure())
        .to(pipe.sink())
        .run(testKit.system());
  }

  private static CompletionStage<ByteString> reader(BackedPipe pipe) {
    return pipe.source()
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), testKit.system());
  }

  @Test
  void shouldCarryBytesBothWaysAcrossACut() throws Exception {
    Pair pair = Pair.start();
    pair.client().connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
    TestLink link = pair.links().receiveMessage();
    CompletionStage<ByteString> atServer = reader(pair.server());
    CompletionStage<ByteString> atClient = reader(pair.client());
    SourceQueueWithComplete<ByteString> toServer = writer(pair.client());
    SourceQueueWithComplete<ByteString> toClient = writer(pair.server());
    toServer.offer(ByteString.fromString("hello "));
    toClient.offer(ByteString.fromString("hi "));
    link.cut();
    pair.links().receiveMessage(TIMEOUT);
    toServer.offer(ByteString.fromString("world"));
    toClient.offer(ByteString.fromString("there"));
    toServer.complete();
    toClient.complete();
    assertEquals("hello world", atServer.toCompletableFuture().get(5, TimeUnit.SECONDS)
        .utf8String());
    assertEquals("hi there", atClient.toCompletableFuture().get(5, TimeUnit.SECONDS)
        .utf8String());
  }

  @Test
  void shouldCloseBothPipesCleanlyOnceBothDirectionsEnded() throws Exception {
    Pair pair = Pair.start();
    TestProbe<io.backedpipe.PipeEvent> clientEvents = testKit.createTestProbe();
    TestProbe<io.backedpipe.PipeEvent> serverEvents = testKit.createTestProbe();
    pair.client().subscribe(clientEvents.ref());
    pair.server().subscribe(serverEvents.ref());
    pair.client().connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
    CompletionStage<ByteString> atServer = reader(pair.server());
    CompletionStage<ByteString> atClient = reader(pair.client());
    Source.single(ByteString.fromString("ping")).runWith(pair.client().sink(), testKit.system());
    Source.single(ByteString.fromString("pong")).runWith(pair.server().sink(), testKit.system());
    assertEquals("ping", atServer.toCompletableFuture().get(5, TimeUnit.SECONDS).utf8String());
    assertEquals("pong", atClient.toCompletableFuture().get(5, TimeUnit.SECONDS).utf8String());
    for (TestProbe<io.backedpipe.PipeEvent> events : java.util.List.of(clientEvents,
        serverEvents)) {
      assertEquals(io.backedpipe.DisconnectCause.COMPLETED,
          io.backedpipe.Events.await(events, io.backedpipe.PipeEvent.Closed.class, TIMEOUT)
              .cause());
    }
  }

  /**
   * Regression: a reader that stopped draining its connection once a full peer window was waiting
   * for the application deadlocked two pipes echoing into each other, with no fault at all:
   * acknowledgements waited behind data that waited for those acknowledgements.
   */
  @Test
  void shouldEchoManyWindowsWithoutAFault() throws Exception {
    Pair pair = Pair.start();
    pair.client().connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
    pair.server().source().runWith(pair.server().sink(), testKit.system());
    CompletionStage<ByteString> echoed = reader(pair.client());
    Random random = new Random(11);
    List<ByteString> chunks = new ArrayList<>();
    for (int i = 0; i < 128; i++) { // 8 MiB: 128 windows of 64 KiB
      byte[] chunk = new byte[64 * 1024];
      random.nextBytes(chunk);
      chunks.add(ByteString.fromArrayUnsafe(chunk));
    }
    Source.from(chunks).runWith(pair.client().sink(), testKit.system());
    ByteString expected = chunks.stream().reduce(ByteString.emptyByteString(), ByteString::concat);
    ByteString got = echoed.toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(expected.size(), got.size());
    assertTrue(expected.equals(got), "echo differs");
  }

  /**
   * At least 1,000 random cuts, EOFs and stalls while both sides write random-sized chunks; both
   * directions must arrive byte-identical, without loss or duplication.
   */
  @ParameterizedTest(name = "seed {0}")
  @ValueSource(longs = {20261127L})
  void shouldStayByteIdenticalBothWaysThroughAThousandFaults(long seed) throws Exception {
    Random random = new Random(seed);
    String context = "seed=" + seed;
    Pair pair = Pair.start();
    pair.client().connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
    TestLink link = pair.links().receiveMessage(TIMEOUT);
    CompletionStage<ByteString> atServer = reader(pair.server());
    CompletionStage<ByteString> atClient = reader(pair.client());
    SourceQueueWithComplete<ByteString> toServer = writer(pair.client());
    SourceQueueWithComplete<ByteString> toClient = writer(pair.server());
    ByteStringBuilder sentToServer = new ByteStringBuilder();
    ByteStringBuilder sentToClient = new ByteStringBuilder();
    int faults = 0;
    while (faults < 1000) {
      offer(toServer, sentToServer, random);
      offer(toClient, sentToClient, random);
      int dice = random.nextInt(100);
      if (dice < 50) {
        link.cut();
      } else if (dice < 70) {
        link.close();
      } else {
        link.stall();
        pair.links().expectNoMessage(Duration.ofMillis(1 + random.nextInt(3)));
        if (dice < 85) {
          link.resume();
          faults++;
          continue;
        }
        link.cut();
      }
      faults++;
      link = pair.links().receiveMessage(TIMEOUT);
    }
    toServer.complete();
    toClient.complete();
    ByteString expectedAtServer = sentToServer.result();
    ByteString expectedAtClient = sentToClient.result();
    ByteString gotAtServer = atServer.toCompletableFuture().get(20, TimeUnit.SECONDS);
    ByteString gotAtClient = atClient.toCompletableFuture().get(20, TimeUnit.SECONDS);
    assertEquals(expectedAtServer.size(), gotAtServer.size(), context + " bytes at server");
    assertTrue(expectedAtServer.equals(gotAtServer), context + " content at server");
    assertEquals(expectedAtClient.size(), gotAtClient.size(), context + " bytes at client");
    assertTrue(expectedAtClient.equals(gotAtClient), context + " content at client");
    PipeStatus client = pair.client().status().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertTrue(client.reconnectCount() > 0, context + " reconnects=" + client.reconnectCount());
  }

  private static void offer(
      SourceQueueWithComplete<ByteString> queue, ByteStringBuilder sent, Random random)
      throws Exception {
    byte[] chunk = new byte[1 + random.nextInt(8192)];
    random.nextBytes(chunk);
    ByteString bytes = ByteString.fromArray(chunk);
    sent.append(bytes);
    queue.offer(bytes).toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
