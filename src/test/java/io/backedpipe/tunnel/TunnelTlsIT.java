package io.backedpipe.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.backedpipe.PipeEvent;
import io.backedpipe.chaos.ChaosProxy;
import io.backedpipe.chaos.ChaosSchedule;
import io.backedpipe.chaos.Fault;
import io.backedpipe.transport.TestCertificates;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tunnel over mutual TLS, configured as the tool configures it (through
 * {@code backed-pipe.transport.tls}): connect and serve run in two actor systems, each with its own
 * stores, with a chaos proxy between them.
 */
class TunnelTlsIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);
  @TempDir
  static Path dir;
  private static ActorTestKit server;
  private static ActorTestKit client;

  @BeforeAll
  static void start() throws Exception {
    TestCertificates certs = TestCertificates.create(dir);
    server = ActorTestKit.create("tls-serve", config(Map.of(
        "key-store", certs.serverKeys().toString(),
        "key-store-password-file", certs.passwordFile().toString(),
        "trust-store", certs.serverTrust().toString(),
        "trust-store-password-file", certs.passwordFile().toString(),
        "client-auth", "need")));
    client = ActorTestKit.create("tls-connect", config(Map.of(
        "key-store", certs.clientKeys().toString(),
        "key-store-password-file", certs.passwordFile().toString(),
        "trust-store", certs.clientTrust().toString(),
        "trust-store-password", TestCertificates.PASSWORD)));
  }

  private static Config config(Map<String, String> tls) {
    Config section = ConfigFactory.parseMap(tls).atPath("backed-pipe.transport.tls")
        .withFallback(ConfigFactory.parseString("backed-pipe.transport.tls.enabled = on"));
    return section.withFallback(ConfigFactory.parseString("""
        backed-pipe.reconnect { min-backoff = 5ms, max-backoff = 100ms }
        backed-pipe.transport { heartbeat-interval = 100ms, heartbeat-timeout = 1s,
                                handshake-timeout = 3s }
        """)).withFallback(ConfigFactory.load("application-test"));
  }

  @AfterAll
  static void shutdown() {
    client.shutdownTestKit();
    server.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** An echo service that half-closes after the client's EOF. */
  private static InetSocketAddress echo() throws Exception {
    return EchoTarget.start(server.system());
  }

  /** The two ends and the proxy between them; events of the client's streams go to a probe. */
  private record Tunnel(ConnectTunnel connect, ChaosProxy proxy, TestProbe<TunnelEvent> events) {}

  private static Tunnel tunnel(InetSocketAddress target) throws Exception {
    ServeTunnel serve = await(ServeTunnel.start(server.system(), ANY, target, Optional.empty()));
    ChaosProxy proxy = await(ChaosProxy.start(server.system(), ANY, serve.address(),
        ChaosSchedule.none()));
    TestProbe<TunnelEvent> events = client.createTestProbe();
    ConnectTunnel connect = await(ConnectTunnel.start(client.system(), ANY, proxy.address(),
        Optional.of(events.ref())));
    return new Tunnel(connect, proxy, events);
  }

  @Test
  void shouldKeepEchoStreamsByteExactOverTlsThroughResetsAndCloses() throws Exception {
    Tunnel t = tunnel(echo());
    Random random = new Random(17);
    List<LocalClient> clients = new ArrayList<>();
    List<ByteString> sent = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      clients.add(new LocalClient(client.system(), t.connect().address()));
      sent.add(ByteString.emptyByteString());
    }
    for (Fault fault : new Fault[] {Fault.RESET, Fault.CLOSE, Fault.RESET}) {
      for (int i = 0; i < clients.size(); i++) {
        byte[] chunk = new byte[256 * 1024];
        random.nextBytes(chunk);
        sent.set(i, sent.get(i).concat(ByteString.fromArrayUnsafe(chunk)));
        await(clients.get(i).send(ByteString.fromArrayUnsafe(chunk)));
      }
      // every stream's echo flows, so its link through the proxy is up for the fault (injected
      // while the last fault's reconnects were under way, it could find no link to break)
      for (int i = 0; i < clients.size(); i++) {
        LocalClient c = clients.get(i);
        int size = sent.get(i).size();
        client.createTestProbe().awaitAssert(TIMEOUT, () -> {
          assertTrue(c.received().size() >= size, "received " + c.received().size() + " of "
              + size);
          return null;
        });
      }
      t.proxy().inject(fault, Duration.ZERO); // every new connection is a new TLS session
    }
    for (int i = 0; i < clients.size(); i++) {
      clients.get(i).finish();
      await(clients.get(i).done());
      assertEquals(sent.get(i), clients.get(i).received(), "stream " + i);
    }
    // both streams rode one pipe, which never closed
    List<TunnelEvent> events = TunnelEvents.soFar(t.events());
    assertEquals(1, events.stream().map(TunnelEvent::streamId).distinct().count(),
        events.toString());
    assertTrue(events.stream().noneMatch(e -> e.event() instanceof PipeEvent.Closed),
        events.toString());
    assertTrue(await(t.proxy().stats()).faults() >= 1);
  }

  @Test
  void shouldCarryTheServersCloseReasonOverTls() throws Exception {
    Tcp.ServerBinding unused = await(Tcp.get(server.system()).bind("127.0.0.1", 0)
        .to(Sink.ignore()).run(server.system()));
    InetSocketAddress closedPort = unused.localAddress();
    await(unused.unbind());
    Tunnel t = tunnel(closedPort);
    try (LogLines log = LogLines.capture(Level.INFO)) {
      LocalClient local = new LocalClient(client.system(), t.connect().address());
      await(local.send(ByteString.fromString("anyone there?")));
      assertThrows(Exception.class, () -> await(local.done())); // reset
      client.createTestProbe().awaitAssert(TIMEOUT, () -> {
        List<String> said = log.containing("reset by the server");
        assertEquals(1, said.size(), log.all().toString());
        assertTrue(said.get(0).endsWith(": reset by the server: \"target unreachable:"
            + " connection refused\"; resetting the local connection"), said.get(0));
        return null;
      });
    }
  }
}
