package io.backedpipe.testing;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.pipe.PipeSupervisor;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

class PipePairTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  static PipeSettings settings() {
    return PipeSettings.create(testKit.system())
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(20)));
  }

  @Test
  void shouldDeliverBothWaysAcrossACut() throws Exception {
    ActorRef<PipeSupervisor.Command> server =
        testKit.spawn(BackedPipe.createAccepting(settings()));
    TestProbe<TestLink> links = testKit.createTestProbe();
    ActorRef<PipeSupervisor.Command> client =
        testKit.spawn(
            BackedPipe.create(
                new InMemoryReconnector(testKit.system(), server, links.ref()), settings()));
    BackedPipe a = BackedPipe.of(client, testKit.system());
    BackedPipe b = BackedPipe.of(server, testKit.system());
    a.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
    TestLink link = links.receiveMessage();

    CompletionStage<List<ByteString>> readB = b.source().runWith(Sink.seq(), testKit.system());
    var queue = Source.<ByteString>queue(8, org.apache.pekko.stream.OverflowStrategy.backpressure()).to(a.sink()).run(testKit.system());
    queue.offer(ByteString.fromString("hello "));
    link.cut();
    links.receiveMessage();
    queue.offer(ByteString.fromString("world"));
    queue.complete();
    List<ByteString> got = readB.toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals("hello world", got.stream().reduce(ByteString.emptyByteString(), ByteString::concat).utf8String());
  }
}
