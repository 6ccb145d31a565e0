package io.backedpipe.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.backedpipe.PipeEvent;
import io.backedpipe.chaos.ChaosProxy;
import io.backedpipe.chaos.ChaosSchedule;
import io.backedpipe.chaos.Fault;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A crowd through one tunnel, with the server's default limits: an application that opens many
 * connections at once (a browser, a connection pool), and a link loss under all of them. When each
 * stream had its own pipe, the loss made 40 reconnects at once from one address, which met the
 * server's per-address caps; now the streams share the tunnel's pipe, and the loss costs one
 * reconnect. No byte may be lost, duplicated or reordered.
 */
class TunnelCrowdIT {
  /** More than the server's 16 handshakes in progress and 20 creations at once per address. */
  private static final int STREAMS = 40;
  private static final int CHUNK = 64 * 1024;
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);
  // Only the liveness timings are shortened (a blackhole must be noticed in test time); the
  // server's admission and creation limits and the reconnect backoff are the defaults users get.
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
      backed-pipe.transport { heartbeat-interval = 200ms, heartbeat-timeout = 1s }
      """).withFallback(ConfigFactory.load("application-test")));

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  @Test
  void shouldCarryEveryStreamOfACrowdThroughALinkLossThatHitsThemAllAtOnce() throws Exception {
    InetSocketAddress echo = EchoTarget.start(testKit.system());
    ServeTunnel serve = await(ServeTunnel.start(testKit.system(), ANY, echo, Optional.empty()));
    ChaosProxy proxy = await(ChaosProxy.start(testKit.system(), ANY, serve.address(),
        ChaosSchedule.none()));
    TestProbe<TunnelEvent> events = testKit.createTestProbe();
    ConnectTunnel connect = await(ConnectTunnel.start(testKit.system(), ANY, proxy.address(),
        Optional.of(events.ref())));
    try {
      Random random = new Random(11);
      List<LocalClient> clients = new ArrayList<>();
      List<ByteString> sent = new ArrayList<>();
      for (int i = 0; i < STREAMS; i++) { // all at once, as a connection pool opens them
        clients.add(new LocalClient(testKit.system(), connect.address()));
        sent.add(ByteString.emptyByteString());
      }
      for (int round = 0; round < 2; round++) {
        for (int i = 0; i < STREAMS; i++) {
          ByteString chunk = randomBytes(random);
          sent.set(i, sent.get(i).concat(chunk));
          await(clients.get(i).send(chunk));
        }
        for (int i = 0; i < STREAMS; i++) {
          awaitReceived(clients.get(i), sent.get(i).size());
        }
        if (round == 0) {
          // every link at once, from one address: a crowd of resumes meets the per-address caps
          proxy.inject(Fault.RESET);
        }
      }
      List<CompletableFuture<?>> done = new ArrayList<>();
      for (LocalClient client : clients) {
        client.finish();
        done.add(client.done().toCompletableFuture());
      }
      await(CompletableFuture.allOf(done.toArray(CompletableFuture[]::new)));
      for (int i = 0; i < STREAMS; i++) {
        assertEquals(sent.get(i), clients.get(i).received(), "stream " + i);
      }
      assertTrue(await(proxy.stats()).faults() >= 1);
      // The crowd shares one pipe: the loss cost one reconnect for all 40 streams, and no
      // stream ended early (done() fails on a reset).
      List<TunnelEvent> seen = TunnelEvents.soFar(events);
      assertEquals(1, seen.stream().map(TunnelEvent::streamId).distinct().count(),
          seen.toString());
      assertEquals(List.of(0L, 1L), seen.stream().filter(e -> e.event() instanceof
              PipeEvent.Connected).map(e -> ((PipeEvent.Connected) e.event()).reconnectCount())
          .toList(), seen.toString());
    } finally {
      await(connect.stop());
      await(proxy.stop());
      await(serve.stop());
    }
  }

  private static ByteString randomBytes(Random random) {
    byte[] bytes = new byte[CHUNK];
    random.nextBytes(bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }

  private static void awaitReceived(LocalClient client, int size) {
    testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
      assertEquals(size, client.received().size(), "bytes echoed so far");
      return null;
    });
  }
}
