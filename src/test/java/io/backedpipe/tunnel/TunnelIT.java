package io.backedpipe.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.backedpipe.DisconnectCause;
import io.backedpipe.PeerClosedException;
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
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The tunnel end to end over TCP: connect -> chaos proxy -> serve -> a target. */
class TunnelIT {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
      backed-pipe.reconnect { min-backoff = 5ms, max-backoff = 100ms }
      backed-pipe.transport { heartbeat-interval = 100ms, heartbeat-timeout = 500ms,
                              handshake-timeout = 2s }
      """).withFallback(ConfigFactory.load("application-test")));
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** An echo service that half-closes after the client's EOF. */
  private static InetSocketAddress echo() throws Exception {
    return await(Tcp.get(testKit.system()).bind("127.0.0.1", 0, 100, List.of(), true,
            Optional.empty())
        .to(Sink.foreach(c -> c.handleWith(Flow.create(), testKit.system())))
        .run(testKit.system())).localAddress();
  }

  /** The two ends and the proxy between them; events of the client's streams go to a probe. */
  private record Tunnel(ConnectTunnel connect, ChaosProxy proxy, ServeTunnel serve,
      TestProbe<TunnelEvent> clientEvents) {}

  private static Tunnel tunnel(InetSocketAddress target) throws Exception {
    ServeTunnel serve = await(ServeTunnel.start(testKit.system(), ANY, target, Optional.empty()));
    ChaosProxy proxy = await(ChaosProxy.start(testKit.system(), ANY, serve.address(),
        ChaosSchedule.none()));
    TestProbe<TunnelEvent> events = testKit.createTestProbe();
    ConnectTunnel connect = await(ConnectTunnel.start(testKit.system(), ANY, proxy.address(),
        Optional.of(events.ref())));
    return new Tunnel(connect, proxy, serve, events);
  }

  private static ByteString random(Random random, int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }

  private static void awaitReceived(LocalClient client, int size) {
    testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
      assertTrue(client.received().size() >= size,
          "received " + client.received().size() + " of " + size);
      return null;
    });
  }

  private static <E extends PipeEvent> E awaitEvent(TestProbe<TunnelEvent> probe, Class<E> type) {
    return type.cast(probe.fishForMessage(TIMEOUT, e -> type.isInstance(e.event())
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore())
        .get(0).event());
  }

  @Test
  void shouldKeepSeveralEchoStreamsByteExactThroughResetsClosesAndABlackhole() throws Exception {
    Tunnel t = tunnel(echo());
    Random random = new Random(7);
    List<LocalClient> clients = new ArrayList<>();
    List<ByteString> sent = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      clients.add(new LocalClient(testKit.system(), t.connect().address()));
      sent.add(ByteString.emptyByteString());
    }
    // Each round: every stream writes 512 KiB, the link breaks, and every byte must come back.
    Fault[] faults = {Fault.RESET, Fault.CLOSE, Fault.BLACKHOLE, Fault.RESET, Fault.CLOSE};
    for (Fault fault : faults) {
      for (int i = 0; i < clients.size(); i++) {
        ByteString chunk = random(random, 512 * 1024);
        sent.set(i, sent.get(i).concat(chunk));
        await(clients.get(i).send(chunk));
      }
      // The fault lands mid-transfer, on links that carry bytes again: one cut before it carried
      // anything would only be waiting out its backoff (a connection that never proved itself),
      // and a fault then would find no link to break.
      for (int i = 0; i < clients.size(); i++) {
        awaitReceived(clients.get(i), sent.get(i).size() - 512 * 1024 + 1);
      }
      t.proxy().inject(fault, Duration.ofMillis(1500));
    }
    for (int i = 0; i < clients.size(); i++) {
      clients.get(i).finish();
      await(clients.get(i).done());
      assertEquals(sent.get(i), clients.get(i).received(), "stream " + i);
    }
    assertTrue(await(t.proxy().stats()).faults() >= faults.length - 1);
    // Every stream ended cleanly: both directions complete, no stream closed early.
    for (int i = 0; i < clients.size(); i++) {
      assertEquals(DisconnectCause.COMPLETED,
          awaitEvent(t.clientEvents(), PipeEvent.Closed.class).cause());
    }
  }

  @Test
  void shouldCarryHalfCloseBothWays() throws Exception {
    Tunnel t = tunnel(echo());
    LocalClient client = new LocalClient(testKit.system(), t.connect().address());
    await(client.send(ByteString.fromString("hello")));
    awaitReceived(client, 5);
    client.finish(); // our EOF reaches the echo, whose EOF comes back after the last byte
    await(client.done());
    assertEquals("hello", client.received().utf8String());
    assertEquals(DisconnectCause.COMPLETED,
        awaitEvent(t.clientEvents(), PipeEvent.Closed.class).cause());
  }

  @Test
  void shouldCloseTheLocalConnectionAndSayWhyWhenTheTargetRefuses() throws Exception {
    Tcp.ServerBinding unused = await(Tcp.get(testKit.system()).bind("127.0.0.1", 0)
        .to(Sink.ignore()).run(testKit.system()));
    InetSocketAddress closedPort = unused.localAddress();
    await(unused.unbind());
    Tunnel t = tunnel(closedPort);
    LocalClient client = new LocalClient(testKit.system(), t.connect().address());
    await(client.send(ByteString.fromString("anyone there?")));
    PipeEvent.Closed closed = awaitEvent(t.clientEvents(), PipeEvent.Closed.class);
    assertEquals(DisconnectCause.CLOSED_BY_PEER, closed.cause());
    PeerClosedException why = assertInstanceOf(PeerClosedException.class,
        closed.error().orElseThrow());
    assertEquals(TunnelCloseCode.TARGET_UNREACHABLE.code(), why.code());
    assertTrue(why.reason().startsWith("target unreachable: "), why.reason());
    // The local connection is closed (reset: the stream did not end cleanly).
    Exception error = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
        () -> await(client.done()));
    assertTrue(error.getCause() != null, error.toString());
  }

  @Test
  void shouldCloseTheTargetConnectionWhenTheLocalConnectionResets() throws Exception {
    TestProbe<String> target = testKit.createTestProbe();
    InetSocketAddress address = await(Tcp.get(testKit.system()).bind("127.0.0.1", 0, 100,
            List.of(), true, Optional.empty())
        .to(Sink.foreach(c -> {
          CompletionStage<Done> ended = c.handleWith(
              Flow.<ByteString>create().watchTermination(Keep.right()), testKit.system());
          target.ref().tell("open");
          ended.whenComplete((done, e) -> target.ref().tell(e == null ? "eof" : "failed"));
        }))
        .run(testKit.system())).localAddress();
    Tunnel t = tunnel(address);
    LocalClient client = new LocalClient(testKit.system(), t.connect().address());
    await(client.send(ByteString.fromString("ping")));
    awaitReceived(client, 4);
    assertEquals("open", target.receiveMessage(TIMEOUT));
    client.reset();
    assertEquals("failed", target.receiveMessage(TIMEOUT)); // reset, not a clean EOF
    PipeEvent.Closed closed = awaitEvent(t.clientEvents(), PipeEvent.Closed.class);
    assertEquals(DisconnectCause.CLOSED_BY_USER, closed.cause());
  }
}
