package io.backedpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.backedpipe.testing.InMemoryReconnector;
import io.backedpipe.testing.TestLink;
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

/** The README's examples, compiled and run, so the README cannot drift from the API. */
class ReadmeExampleTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void shouldRunTheReadmeQuickStart() throws Exception {
    var system = testKit.system();
    PipeSettings settings = PipeSettings.create(system);
    ActorRef<PipeCommand> serverRef =
        testKit.spawn(BackedPipe.createAccepting(settings), "server");
    TestProbe<TestLink> links = testKit.createTestProbe();
    Reconnector reconnector = new InMemoryReconnector(system, serverRef, links.ref());

    // --- README: quick start ---
    ActorRef<PipeCommand> ref =
        testKit.spawn(BackedPipe.create(reconnector, settings), "pipe");
    BackedPipe pipe = BackedPipe.of(ref, system);
    pipe.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);

    Source.single(ByteString.fromString("hello, pipe")).runWith(pipe.sink(), system);
    // --- end ---

    links.receiveMessage().cut(); // the link dies; the pipe reconnects and replays

    BackedPipe server = BackedPipe.of(serverRef, system);
    CompletionStage<ByteString> read = server.source()
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system);
    assertEquals("hello, pipe", read.toCompletableFuture().get(5, TimeUnit.SECONDS).utf8String());
  }
}
