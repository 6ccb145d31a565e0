package io.backedpipe.server;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TransportSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The caps on handshakes in progress, over real TCP: a connection beyond a cap is closed before
 * its CHALLENGE while the admitted ones wait for the handshake timeout, and a slot comes free when
 * a handshake ends.
 */
class HandshakeAdmissionIT {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(3);
  private static final Duration TIMEOUT = Duration.ofSeconds(10);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static TransportSettings transport() {
    return TransportSettings.create(testKit.system()).withHandshakeTimeout(HANDSHAKE_TIMEOUT);
  }

  private static PipeSettings pipeSettings() {
    return PipeSettings.create(testKit.system()).withWindowBytes(256 * 1024)
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(100)));
  }

  private static PipeServer bind(ServerSettings settings) throws Exception {
    return PipeServer.bind(testKit.system(), "127.0.0.1", 0, settings, pipeSettings(),
            transport(), (id, pipe) -> pipe.source().runWith(pipe.sink(), testKit.system()))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** Opens {@code n} silent connections from {@code host}, each admitted (it got its CHALLENGE). */
  private static List<RawClient> admitted(PipeServer server, String host, int n)
      throws Exception {
    List<RawClient> clients = new ArrayList<>();
    for (int i = 0; i < n; i++) {
      RawClient client = RawClient.connect(host, server.address(), TIMEOUT);
      clients.add(client);
      client.readChallenge(); // admitted, in this order
    }
    return clients;
  }

  private static void closeAll(List<RawClient> clients) throws Exception {
    for (RawClient client : clients) {
      client.close();
    }
  }

  @Test
  void shouldCloseTheSeventeenthSilentConnectionFromOneAddressAtOnce() throws Exception {
    PipeServer server = bind(ServerSettings.create(testKit.system())); // 16 per address
    List<RawClient> first = admitted(server, "127.0.0.1", 16);
    try (RawClient seventeenth = RawClient.connect("127.0.0.1", server.address(), TIMEOUT)) {
      seventeenth.assertClosedWithoutAByte();
      for (RawClient client : first) {
        client.assertStillOpen(); // closed at once: the first 16 still wait for their timeout
      }
      for (RawClient client : first) {
        client.assertClosed(); // by the handshake timeout
      }
    } finally {
      closeAll(first);
      server.unbind();
    }
  }

  @Test
  void shouldCloseAConnectionBeyondTheGlobalCapFromAnyAddress() throws Exception {
    PipeServer server = bind(ServerSettings.create(testKit.system()).withMaxHandshakes(4, 16));
    List<RawClient> first = admitted(server, "127.0.0.1", 4);
    try (RawClient fifth = RawClient.connect("127.0.0.2", server.address(), TIMEOUT)) {
      fifth.assertClosedWithoutAByte();
      first.get(0).assertStillOpen();
    } finally {
      closeAll(first);
      server.unbind();
    }
  }

  @Test
  void shouldFreeASlotWhenAHandshakeFailsAndWhenItSucceeds() throws Exception {
    PipeServer server = bind(ServerSettings.create(testKit.system()).withMaxHandshakes(1, 1));
    List<RawClient> silent = admitted(server, "127.0.0.1", 1);
    try {
      closeAll(silent); // its handshake fails: the one slot comes free
      // The real clients retry a refused connection; each gets in only once the one before has
      // its WELCOME, which frees the slot again.
      for (int i = 0; i < 2; i++) {
        BackedPipe client = BackedPipe.of(testKit.spawn(BackedPipe.create(new TcpReconnector(
            testKit.system(), server.address(), UUID.randomUUID(), true, transport()),
            pipeSettings())), testKit.system());
        client.connect().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      }
    } finally {
      server.unbind();
    }
  }
}
