package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.BackedPipe;
import io.backedpipe.Events;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.ResumePoint;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HandshakeStatus;
import io.backedpipe.wire.WireProtocol;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A server that completes every handshake and then closes the connection at once (a crash loop,
 * a settings mismatch): the client dials it at the backoff's pace, because a connection that never
 * proved itself does not reset the backoff. It used to redial at once, thousands of times a second.
 */
class CrashLoopServerIT {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration MIN_BACKOFF = Duration.ofMillis(100);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** CHALLENGE, read HELLO, WELCOME OK at position 0, then the end of the connection. */
  private static Flow<ByteString, ByteString, ?> welcomeAndClose() {
    Frame.Challenge challenge = new Frame.Challenge(TcpReconnector.VERSION, false,
        ByteString.fromArray(new byte[Frame.Challenge.NONCE_BYTES]));
    Frame.Welcome welcome = new Frame.Welcome(HandshakeStatus.OK, 0,
        ResumePoint.check(ByteString.emptyByteString()), 60_000, "");
    Flow<Frame, Frame, ?> server = Flow.<Frame>create()
        .filter(frame -> frame instanceof Frame.Hello)
        .take(1)
        .<Frame>map(hello -> welcome)
        .prepend(Source.single(challenge));
    return WireProtocol.frames(256 * 1024).reversed().join(server);
  }

  /** Binds the server; every connection it accepts is told to {@code connections}. */
  private static InetSocketAddress bind(TestProbe<Long> connections) throws Exception {
    Flow<ByteString, ByteString, ?> handler = welcomeAndClose();
    return Tcp.get(testKit.system()).bind("127.0.0.1", 0)
        .to(Sink.foreach(connection -> {
          connections.ref().tell(System.nanoTime());
          connection.handleWith(handler, testKit.system());
        }))
        .run(testKit.system())
        .toCompletableFuture().get(5, TimeUnit.SECONDS)
        .localAddress();
  }

  @Test
  void shouldDialAServerThatDropsEveryLinkAfterWelcomeAtTheBackoffsPace() throws Exception {
    TestProbe<Long> connections = testKit.createTestProbe();
    TestProbe<PipeEvent> events = testKit.createTestProbe();
    InetSocketAddress address = bind(connections);
    PipeSettings settings = PipeSettings.create(testKit.system()).withReconnect(
        ReconnectPolicy.backoff(MIN_BACKOFF, Duration.ofSeconds(10)));
    TcpReconnector dialer = new TcpReconnector(testKit.system(), address, UUID.randomUUID(),
        true, TransportSettings.create(testKit.system()));
    BackedPipe pipe = BackedPipe.of(testKit.spawn(BackedPipe.create(dialer, settings)),
        testKit.system());
    pipe.subscribe(events.ref());
    pipe.connect();

    int attempts = 5;
    PipeEvent.ReconnectFailed last = null;
    for (int attempt = 1; attempt <= attempts; attempt++) {
      last = Events.await(events, PipeEvent.ReconnectFailed.class, Duration.ofSeconds(10));
      assertEquals(attempt, last.attempt());
      // Lost before it proved itself, or (when the close overtakes the attach) while attaching.
      assertTrue(last.error().getMessage().contains("detail=connection lost"),
          last.error().getMessage());
    }
    // One connection per attempt, no more, and spread by the backoff: 100+200+400+800 ms before
    // the fifth (less 20% jitter). Without the rule there were thousands in that time.
    long first = connections.receiveMessage();
    long fifth = first;
    for (int i = 2; i <= attempts; i++) {
      fifth = connections.receiveMessage();
    }
    Duration spread = Duration.ofNanos(fifth - first);
    assertTrue(spread.compareTo(Duration.ofMillis(1200)) >= 0, "spread=" + spread);
    assertTrue(last.nextAttemptIn().orElseThrow().compareTo(Duration.ofMillis(1280)) >= 0,
        "next=" + last.nextAttemptIn());
    connections.expectNoMessage(Duration.ofMillis(500)); // the sixth waits its 1.6 s
    pipe.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
