package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.PipeStatus;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.chaos.ChaosProxy;
import io.backedpipe.chaos.ChaosSchedule;
import io.backedpipe.chaos.DurationRange;
import io.backedpipe.chaos.Fault;
import io.backedpipe.chaos.LinkConditions;
import io.backedpipe.server.PipeServer;
import io.backedpipe.server.ServerSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Pipes over a slow, long link: a chaos proxy between client and server that moves 64 KiB/s each
 * way with 150 ms each way (a 300 ms round trip). A 256 KiB frame needs 4 s on it, four times the
 * heartbeat timeout: the link must stay alive because bytes keep arriving, and no frame may need
 * to arrive whole for its bytes to count. (Found from outside on a kernel-limited 512 kbit/s link,
 * where every connection was declared dead mid-frame and the same frame replayed for ever.)
 */
class SlowLinkIT {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final int RATE = 64 * 1024;
  private static final LinkConditions SLOW_LONG_LINK = new LinkConditions(Duration.ofMillis(150),
      RATE, RATE, Duration.ofMinutes(1), DurationRange.NEVER, DurationRange.NEVER);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static TransportSettings transport() {
    return TransportSettings.create(testKit.system())
        .withHeartbeat(Duration.ofMillis(250), Duration.ofSeconds(1));
  }

  private static PipeSettings pipeSettings() {
    return PipeSettings.create(testKit.system()) // 256 KiB frames
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(10), Duration.ofMillis(200)));
  }

  private record Setup(PipeServer server, ChaosProxy proxy, BackedPipe client) {}

  private static Setup start() throws Exception {
    PipeServer server = PipeServer.bind(testKit.system(), "127.0.0.1", 0,
            ServerSettings.create(testKit.system()), pipeSettings(), transport(),
            (id, pipe) -> pipe.source().runWith(pipe.sink(), testKit.system()))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    ChaosProxy proxy = ChaosProxy.start(testKit.system(), new InetSocketAddress("127.0.0.1", 0),
            server.address(), ChaosSchedule.none().withConditions(SLOW_LONG_LINK))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    BackedPipe client = BackedPipe.of(testKit.spawn(BackedPipe.create(
        new TcpReconnector(testKit.system(), proxy.address(), UUID.randomUUID(), true,
            transport()), pipeSettings())), testKit.system());
    return new Setup(server, proxy, client);
  }

  private static ByteString random(int size, long seed) {
    byte[] bytes = new byte[size];
    new Random(seed).nextBytes(bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }

  /** Writes {@code data} in one piece (so the writer cuts full-size frames) and reads the echo. */
  private static CompletionStage<ByteString> echo(BackedPipe client, ByteString data) {
    Source.single(data).concat(Source.never()).runWith(client.sink(), testKit.system());
    return client.source()
        .scan(ByteString.emptyByteString(), ByteString::concat)
        .filter(got -> got.size() >= data.size())
        .runWith(Sink.head(), testKit.system());
  }

  @Test
  void shouldMoveFramesThatTakeLongerThanTheHeartbeatTimeoutWithoutReconnecting()
      throws Exception {
    Setup s = start();
    s.client().connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ByteString data = random(384 * 1024, 1);

    assertEquals(data, echo(s.client(), data).toCompletableFuture().get(60, TimeUnit.SECONDS));

    PipeStatus status = s.client().status().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertEquals(0, status.reconnectCount(), "the slow link was never declared dead");
    s.server().unbind();
    s.proxy().stop();
  }

  @Test
  void shouldCatchALinkLostWithoutResetAndResumeOnTheSlowLink() throws Exception {
    Setup s = start();
    s.client().connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ByteString data = random(256 * 1024, 2);
    CompletionStage<ByteString> echoed = echo(s.client(), data);
    // once the echo is on its way back, the link goes silent for twice the heartbeat timeout
    testKit.createTestProbe().awaitAssert(Duration.ofSeconds(30), () -> {
      assertTrue(s.client().status().toCompletableFuture().join().receivedPosition() > 0);
      return null;
    });
    s.proxy().inject(Fault.BLACKHOLE, Duration.ofSeconds(2));

    assertEquals(data, echoed.toCompletableFuture().get(60, TimeUnit.SECONDS));

    PipeStatus status = s.client().status().toCompletableFuture().get(5, TimeUnit.SECONDS);
    assertTrue(status.reconnectCount() >= 1, "the silent link was replaced: " + status);
    s.server().unbind();
    s.proxy().stop();
  }
}
