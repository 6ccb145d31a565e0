package io.backedpipe.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.typesafe.config.ConfigFactory;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * What {@code connect}'s log says when the server is down, is not a backed-pipe server, or has
 * forgotten the stream: each in plain words, once per outage, never once per retry, and never a
 * cause the user did not make ({@code CLOSED_BY_USER}) or an ISO duration.
 */
class TunnelWordsIT {
  private static final ActorTestKit testKit = ActorTestKit.create(ConfigFactory.parseString("""
      backed-pipe.reconnect { min-backoff = 5ms, max-backoff = 50ms, give-up-after = 1s }
      backed-pipe.transport { heartbeat-interval = 100ms, heartbeat-timeout = 500ms }
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

  /** A plain TCP server that answers every connection with {@code handler}. */
  private static Tcp.ServerBinding server(Flow<ByteString, ByteString, ?> handler) throws Exception {
    return await(Tcp.get(testKit.system()).bind("127.0.0.1", 0)
        .to(Sink.foreach(c -> c.handleWith(handler, testKit.system())))
        .run(testKit.system()));
  }

  /** Opens one local connection through a new {@code connect} to {@code server}. */
  private static LocalClient clientOf(InetSocketAddress server) throws Exception {
    ConnectTunnel connect = await(ConnectTunnel.start(testKit.system(), ANY, server,
        Optional.empty()));
    LocalClient client = new LocalClient(testKit.system(), connect.address());
    client.send(ByteString.fromString("hello"));
    return client;
  }

  private static void awaitReset(LocalClient client) {
    assertThrows(ExecutionException.class,
        () -> client.done().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
  }

  private static List<String> info(LogLines log, String text) {
    return log.containing(text).stream().filter(l -> !l.startsWith("DEBUG")).toList();
  }

  @Test
  void shouldSayOnceThatTheServerRefusesThenRetryAtDebugAndGiveUpInWords() throws Exception {
    Tcp.ServerBinding unused = server(Flow.create());
    InetSocketAddress down = unused.localAddress();
    await(unused.unbind());
    String server = "127.0.0.1:" + down.getPort();
    try (LogLines log = LogLines.capture(Level.DEBUG)) {
      LocalClient client = clientOf(down);
      awaitReset(client);
      testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
        assertEquals(1, log.containing("giving up").size(), log.all().toString());
        return null;
      });
      assertEquals(List.of("INFO io.backedpipe.tunnel.TunnelSession - " + streamOf(log, server)
              + ": cannot connect to " + server + ": connection refused; retrying for up to 1s"),
          info(log, "cannot connect"), log.all().toString());
      assertTrue(log.containing("DEBUG io.backedpipe.tunnel.TunnelSession").stream()
          .anyMatch(l -> l.contains(": attempt ") && l.endsWith("failed: connection refused")
              || l.contains("failed: connection refused; next in ")), log.all().toString());
      assertEquals(List.of("WARN io.backedpipe.tunnel.TunnelSession - " + streamOf(log, server)
              + ": giving up: no connection to " + server + " within 1s: connection refused;"
              + " resetting its 1 local connection"), log.containing("giving up"));
      assertEquals(List.of(), info(log, "CLOSED_BY_USER"));
      assertEquals(List.of(), log.containing("PT"));
      // the library's own per-attempt lines are for debugging only
      assertEquals(List.of(), log.containing("INFO io.backedpipe.pipe.PipeSupervisor"));
    }
  }

  @Test
  void shouldSayOnceThatTheServerIsNotABackedPipeServerAndWhatItSent() throws Exception {
    InetSocketAddress ssh = server(Flow.fromSinkAndSource(Sink.ignore(),
        Source.single(ByteString.fromString("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"))
            .concat(Source.never()))).localAddress();
    String server = "127.0.0.1:" + ssh.getPort();
    try (LogLines log = LogLines.capture(Level.INFO)) {
      awaitReset(clientOf(ssh));
      testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
        assertEquals(1, log.containing("giving up").size(), log.all().toString());
        return null;
      });
      assertEquals(List.of("INFO io.backedpipe.tunnel.TunnelSession - " + streamOf(log, server)
              + ": cannot connect to " + server + ": not a backed-pipe server (it sent"
              + " \"SSH-2.0-OpenSSH_9.6p1 Ub\"...); retrying for up to 1s"),
          log.containing("cannot connect"), log.all().toString());
    }
  }

  @Test
  void shouldSayTheStreamIsLostWhenTheServerNoLongerKnowsIt() throws Exception {
    InetSocketAddress echo = server(Flow.create()).localAddress();
    ServeTunnel first = await(ServeTunnel.start(testKit.system(), ANY, echo, Optional.empty()));
    ServeTunnel restarted = await(ServeTunnel.start(testKit.system(), ANY, echo,
        Optional.empty()));
    Retargeting proxy = new Retargeting(first.address());
    try (LogLines log = LogLines.capture(Level.INFO)) {
      LocalClient client = clientOf(proxy.address());
      testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
        assertEquals("hello", client.received().utf8String());
        return null;
      });
      // the server "restarts": the link breaks, and the next one reaches a server without it
      proxy.retarget(restarted.address());
      awaitReset(client);
      testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
        assertEquals(1, log.containing(": lost: ").size(), log.all().toString());
        return null;
      });
      String stream = streamOf(log, " to 127.0.0.1:");
      assertEquals(List.of("WARN io.backedpipe.tunnel.TunnelSession - " + stream + ": lost: the"
              + " server no longer knows it (restarted, the cluster node hosting it left, or the"
              + " grace period passed); resetting"
              + " its 1 local connection"), log.containing(": lost: "));
      // the link's loss is said once on this side, by the stream, in words
      List<String> lost = log.containing(stream + ": link lost");
      assertEquals(1, lost.size(), log.all().toString());
      assertTrue(lost.get(0).startsWith("INFO io.backedpipe.tunnel.TunnelSession - " + stream
          + ": link lost ("), lost.get(0));
      assertTrue(lost.get(0).endsWith("); reconnecting"), lost.get(0));
      assertEquals(List.of(), log.containing("connection lost: generation"));
    }
  }

  /** The label of the connect side's tunnel in the lines that mention {@code text}. */
  private static String streamOf(LogLines log, String text) {
    String line = log.containing(text).stream().filter(l -> l.contains(" - tunnel ")
            && l.substring(l.indexOf(" - tunnel ")).contains(" to "))
        .findFirst().orElseThrow(() -> new AssertionError("no line with " + text + ": "
            + log.all()));
    String message = line.substring(line.indexOf(" - ") + 3);
    return message.substring(0, message.indexOf(": "));
  }

  /** A TCP proxy whose target can change; changing it resets every connection through it. */
  private static final class Retargeting {
    private final AtomicReference<InetSocketAddress> target;
    private final AtomicReference<SharedKillSwitch> cut =
        new AtomicReference<>(KillSwitches.shared("retargeting"));
    private final Tcp.ServerBinding binding;

    Retargeting(InetSocketAddress first) throws Exception {
      target = new AtomicReference<>(first);
      binding = await(Tcp.get(testKit.system()).bind("127.0.0.1", 0)
          .to(Sink.foreach(c -> c.handleWith(Flow.<ByteString>create().via(cut.get().flow())
              .via(Tcp.get(testKit.system())
              .outgoingConnection(target.get().getHostString(), target.get().getPort())),
              testKit.system())))
          .run(testKit.system()));
    }

    InetSocketAddress address() {
      return binding.localAddress();
    }

    void retarget(InetSocketAddress next) {
      target.set(next);
      cut.getAndSet(KillSwitches.shared("retargeting"))
          .abort(new java.io.IOException("test: retarget"));
    }
  }
}
