package io.backedpipe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;

import io.backedpipe.PipeSettings;
import io.backedpipe.transport.TransportSettings;
import io.backedpipe.wire.HandshakeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The limits on creating streams, over real TCP with hand-made HELLOs: the per-address creation
 * rate, and the total bytes pipes can hold (window plus read buffer each).
 */
class StreamCreationLimitsIT {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  private static final int WINDOW = 256 * 1024;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static PipeServer bind(ServerSettings settings) throws Exception {
    return PipeServer.bind(testKit.system(), "127.0.0.1", 0, settings,
            PipeSettings.create(testKit.system()).withWindowBytes(WINDOW).withReadBufferBytes(WINDOW),
            TransportSettings.create(testKit.system()), (id, pipe) -> { })
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** Creates a new stream from {@code host}; the connection is kept in {@code open}. */
  private static HandshakeStatus create(PipeServer server, String host, List<RawClient> open)
      throws Exception {
    RawClient client = RawClient.connect(host, server.address(), TIMEOUT);
    open.add(client);
    return client.handshake(UUID.randomUUID()).status();
  }

  private static void closeAll(List<RawClient> clients) throws Exception {
    for (RawClient client : clients) {
      client.close();
    }
  }

  @Test
  void shouldAnswerLimitReachedAfterTheBurstOfCreationsFromOneAddress() throws Exception {
    // 3 at once, then one an hour: the test never sees a refill
    PipeServer server = bind(ServerSettings.create(testKit.system()).withCreateRate(1.0 / 3600, 3));
    List<RawClient> open = new ArrayList<>();
    try {
      for (int i = 0; i < 3; i++) {
        assertEquals(HandshakeStatus.OK, create(server, "127.0.0.1", open), "creation " + i);
      }
      assertEquals(HandshakeStatus.LIMIT_REACHED, create(server, "127.0.0.1", open));
      assertEquals(HandshakeStatus.OK, create(server, "127.0.0.2", open)); // its own bucket
    } finally {
      closeAll(open);
      server.unbind();
    }
  }

  @Test
  void shouldCountTheReadBufferAgainstTheTotalBufferLimit() throws Exception {
    // Room for two pipes of window + read buffer (512 KiB each); counting windows only, four.
    PipeServer server = bind(ServerSettings.create(testKit.system())
        .withMaxTotalBufferBytes(4L * WINDOW));
    List<RawClient> open = new ArrayList<>();
    try {
      assertEquals(HandshakeStatus.OK, create(server, "127.0.0.1", open));
      assertEquals(HandshakeStatus.OK, create(server, "127.0.0.1", open));
      assertEquals(HandshakeStatus.LIMIT_REACHED, create(server, "127.0.0.1", open));
    } finally {
      closeAll(open);
      server.unbind();
    }
  }
}
