package io.backedpipe.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.backedpipe.PipeEvent;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Regression: a {@code connect} whose server is down from the start retried for ever and left the
 * local application waiting; the reconnect policy's give-up time counts only from a lost
 * connection. Now the first connection gets the same time, then the local connection is reset.
 */
class TunnelGiveUpIT {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
      backed-pipe.reconnect { min-backoff = 5ms, max-backoff = 100ms, give-up-after = 1s }
      """).withFallback(ConfigFactory.load("application-test")));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void shouldResetTheLocalConnectionWhenTheServerNeverAnswers() throws Exception {
    Tcp.ServerBinding unused = Tcp.get(testKit.system()).bind("127.0.0.1", 0)
        .to(Sink.ignore()).run(testKit.system()).toCompletableFuture().get(5, TimeUnit.SECONDS);
    InetSocketAddress down = unused.localAddress();
    unused.unbind().toCompletableFuture().get(5, TimeUnit.SECONDS);
    TestProbe<TunnelEvent> events = testKit.createTestProbe();
    ConnectTunnel connect = ConnectTunnel.start(testKit.system(),
        new InetSocketAddress("127.0.0.1", 0), down, Optional.of(events.ref()))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    LocalClient client = new LocalClient(testKit.system(), connect.address());
    client.send(ByteString.fromString("is anyone there?"));
    ExecutionException reset = assertThrows(ExecutionException.class,
        () -> client.done().toCompletableFuture().get(20, TimeUnit.SECONDS));
    assertTrue(reset.getCause() != null, reset.toString()); // reset, not a clean EOF
    assertEquals(0, client.received().size());
    events.fishForMessage(Duration.ofSeconds(10), e -> e.event() instanceof PipeEvent.Closed
        ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
  }
}
