package io.backedpipe.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
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
    return EchoTarget.start(testKit.system());
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
    // The three streams shared one pipe: a fault cost one reconnect, not one per stream, and
    // the pipe never closed.
    List<TunnelEvent> events = TunnelEvents.soFar(t.clientEvents());
    assertEquals(1, events.stream().map(TunnelEvent::streamId).distinct().count(),
        events.toString());
    assertTrue(events.stream().noneMatch(e -> e.event() instanceof PipeEvent.Closed),
        events.toString());
    // Every stream ended cleanly (done() above fails on a reset), and the pipe is still there
    // for the next one.
    LocalClient next = new LocalClient(testKit.system(), t.connect().address());
    LocalClient.echoRound(testKit, List.of(next), new ArrayList<>(List.of(ByteString.emptyByteString())),
        random, 1024, TIMEOUT);
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
  }

  @Test
  void shouldCloseTheLocalConnectionAndSayWhyWhenTheTargetRefuses() throws Exception {
    Tcp.ServerBinding unused = await(Tcp.get(testKit.system()).bind("127.0.0.1", 0)
        .to(Sink.ignore()).run(testKit.system()));
    InetSocketAddress closedPort = unused.localAddress();
    await(unused.unbind());
    Tunnel t = tunnel(closedPort);
    try (LogLines log = LogLines.capture(Level.INFO)) {
      LocalClient client = new LocalClient(testKit.system(), t.connect().address());
      await(client.send(ByteString.fromString("anyone there?")));
      // The local connection is reset: the stream did not end cleanly.
      Exception error = org.junit.jupiter.api.Assertions.assertThrows(Exception.class,
          () -> await(client.done()));
      assertTrue(error.getCause() != null, error.toString());
      // connect says why, in the server's words
      List<String> said = log.containing("reset by the server");
      assertEquals(1, said.size(), log.all().toString());
      assertTrue(said.get(0).startsWith("WARN io.backedpipe.tunnel.TunnelSession - tunnel "),
          said.get(0));
      assertTrue(said.get(0).contains(": stream 1 from 127.0.0.1:"), said.get(0));
      assertTrue(said.get(0).endsWith(": reset by the server: \"target unreachable: connection"
          + " refused\"; resetting the local connection"), said.get(0));
    }
    // only that stream ended: the tunnel's pipe is still connected
    List<TunnelEvent> events = TunnelEvents.soFar(t.clientEvents());
    assertTrue(events.stream().noneMatch(e -> e.event() instanceof PipeEvent.Closed
        || e.event() instanceof PipeEvent.Disconnected), events.toString());
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
  }
}
