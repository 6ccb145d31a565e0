package io.backedpipe.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.testing.InMemoryReconnector;
import io.backedpipe.testing.TestLink;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * How to test your code with a pipe whose connection you break at will: two real pipes joined in
 * memory, every new link handed to a {@link TestProbe}. The README shows this test.
 */
class PipeTestWithProbeTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  // README:begin test-with-probe
  @Test
  void shouldDeliverEveryByteOnceAcrossACutLink() throws Exception {
    ActorSystem<?> system = testKit.system();
    PipeSettings settings = PipeSettings.create(system);
    BackedPipe server = BackedPipe.of(testKit.spawn(BackedPipe.createAccepting(settings)), system);
    TestProbe<TestLink> links = testKit.createTestProbe();
    BackedPipe client = BackedPipe.of(testKit.spawn(BackedPipe.create(
        new InMemoryReconnector(system, server.ref(), links.ref()), settings)), system);
    TestProbe<PipeEvent> events = testKit.createTestProbe();
    client.subscribe(events.ref());

    client.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
    TestLink first = links.receiveMessage();
    BoundedSourceQueue<ByteString> writes = Source.<ByteString>queue(16).to(client.sink()).run(system);
    CompletionStage<ByteString> read = server.source()
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system);

    writes.offer(ByteString.fromString("before the cut, "));
    first.cut();                                          // a reset: the client reconnects
    events.fishForMessage(Duration.ofSeconds(5), event -> event instanceof PipeEvent.Connected
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()); // the first
    events.fishForMessage(Duration.ofSeconds(5), event -> event instanceof PipeEvent.Connected
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore()); // after the cut
    links.receiveMessage();                               // the new link
    writes.offer(ByteString.fromString("after the cut"));
    writes.complete();

    assertEquals("before the cut, after the cut",
        read.toCompletableFuture().get(5, TimeUnit.SECONDS).utf8String());
  }
  // README:end
}
