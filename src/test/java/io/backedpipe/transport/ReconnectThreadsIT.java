package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.StartedThreads;
import io.backedpipe.Reconnector;
import io.backedpipe.server.PipeServer;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.wire.Frame;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Flow;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A reconnect costs no thread on either end: every callback the pipe hangs on a stage Pekko hands
 * out runs where the stage completes ({@code Completions.direct}), not on
 * {@code CompletableFuture}'s default executor, a new thread per callback on a machine of one or
 * two cores (and in the tests on any: surefire sizes the common pool to one thread).
 * {@code TunnelThreadsIT} has the same check for tunnel streams, where it found five threads per
 * stream.
 */
class ReconnectThreadsIT {
  private static final ActorTestKit testKit = ActorTestKit.create(StartedThreads.FIXED_POOLS);
  private static final int RECONNECTS = 20;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static InetSocketAddress echoServer() throws Exception {
    return await(PipeServer.bind(testKit.system(), "127.0.0.1", 0,
        ServerSettings.create(testKit.system()), settings(), TransportSettings.create(
            testKit.system()),
        (id, pipe) -> pipe.source().runWith(pipe.sink(), testKit.system()))).address();
  }

  private static PipeSettings settings() {
    return PipeSettings.create(testKit.system())
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(100)));
  }

  private static TcpReconnector dialer(InetSocketAddress server) {
    return new TcpReconnector(testKit.system(), server, UUID.randomUUID(), true,
        TransportSettings.create(testKit.system()));
  }

  @Test
  void shouldStartNoThreadPerReconnect() throws Exception {
    assertNoThreadPerReconnect(dialer(echoServer()));
  }

  /** The same for connections whose frames pass through a stage of the user's (a port bridge). */
  @Test
  void shouldStartNoThreadPerReconnectOfAWrappedConnection() throws Exception {
    TcpReconnector dialer = dialer(echoServer());
    assertNoThreadPerReconnect(local -> dialer.reconnect(local)
        .thenApply(connection -> connection.withFrames(Flow.<Frame>create())));
  }

  private static void assertNoThreadPerReconnect(Reconnector reconnector) throws Exception {
    BackedPipe client = BackedPipe.of(testKit.spawn(BackedPipe.create(reconnector, settings())),
        testKit.system());
    await(client.connect());
    await(client.forceReconnect());
    long started = StartedThreads.during(() -> {
      for (int i = 0; i < RECONNECTS; i++) {
        await(client.forceReconnect());
      }
    });
    assertTrue(started < RECONNECTS / 4, started + " threads started for " + RECONNECTS
        + " reconnects");
    await(client.close());
  }
}
