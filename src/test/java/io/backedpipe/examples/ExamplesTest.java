package io.backedpipe.examples;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.ByteArrayOutputStream;
import java.io.PrintStream;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Runs the examples the README shows, so that they keep compiling and doing what it says. */
class ExamplesTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void shouldSayHelloBothWaysAndCloseCleanly() throws Exception {
    ByteArrayOutputStream out = new ByteArrayOutputStream();
    HelloOverTcp.run(testKit.system(), new PrintStream(out, true, StandardCharsets.UTF_8));
    assertEquals(List.of(
            "the server has read our hello",
            "client read: hello, client (you said: hello, server)",
            "pipe: Closed[cause=COMPLETED, error=Optional.empty]"),
        out.toString(StandardCharsets.UTF_8).lines().toList());
  }

  @Test
  void shouldTalkThroughAPipeOwnedByAnActor() throws Exception {
    TestProbe<String> listener = testKit.createTestProbe();
    ActorRef<PipeInAnActor.Talker.Command> talker =
        PipeInAnActor.start(testKit.system(), listener.ref());
    listener.expectMessage(Duration.ofSeconds(10), "connected");
    talker.tell(new PipeInAnActor.Talker.Say("hello through an actor"));
    StringBuilder heard = new StringBuilder();
    while (heard.length() < "hello through an actor".length()) { // an echo may come in parts
      heard.append(listener.receiveMessage(Duration.ofSeconds(10)).substring("heard: ".length()));
    }
    assertEquals("hello through an actor", heard.toString());
  }
}
