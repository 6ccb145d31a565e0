package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import io.backedpipe.ResumePoint;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A client pointed at a port where something other than a backed-pipe server listens (an SSH
 * daemon, a web server that waits for a request, a service that hangs up) says so in words.
 */
class ForeignServerIT {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A server that answers every connection with {@code handler}. */
  private static InetSocketAddress server(Flow<ByteString, ByteString, ?> handler)
      throws Exception {
    return Tcp.get(testKit.system()).bind("127.0.0.1", 0)
        .to(Sink.foreach(c -> c.handleWith(handler, testKit.system())))
        .run(testKit.system()).toCompletableFuture().get(5, TimeUnit.SECONDS).localAddress();
  }

  /**
   * The failure of one dial, in words. A server that says something else or hangs up fails the
   * dial at once, so its silence timeout is long: on a loaded machine a short one could win the
   * race and name the wrong cause.
   */
  private static String dial(InetSocketAddress server) {
    return dial(server, Duration.ofSeconds(10));
  }

  private static String dial(InetSocketAddress server, Duration silence) {
    TransportSettings settings = TransportSettings.create(testKit.system())
        .withHeartbeat(silence.dividedBy(5), silence);
    TcpReconnector dialer = new TcpReconnector(testKit.system(),
        InetSocketAddress.createUnresolved("127.0.0.1", server.getPort()), UUID.randomUUID(), true,
        settings);
    ExecutionException failed = assertThrows(ExecutionException.class, () -> dialer
        .reconnect(new ResumePoint(0, 0)).toCompletableFuture().get(30, TimeUnit.SECONDS));
    assertInstanceOf(HandshakeFailedException.class, failed.getCause());
    return FailureText.essence(failed.getCause());
  }

  @Test
  void shouldShowTheBannerOfAServerThatIsNotABackedPipeServer() throws Exception {
    InetSocketAddress ssh = server(Flow.fromSinkAndSource(Sink.ignore(),
        Source.single(ByteString.fromString("SSH-2.0-OpenSSH_9.6p1 Ubuntu-3ubuntu13\r\n"))
            .concat(Source.never())));
    assertEquals("not a backed-pipe server (it sent \"SSH-2.0-OpenSSH_9.6p1 Ub\"...)", dial(ssh));
  }

  @Test
  void shouldSayNoChallengeCameFromAServerThatSaysNothing() throws Exception {
    InetSocketAddress http = server(Flow.fromSinkAndSource(Sink.ignore(), Source.never()));
    assertEquals("no challenge within 500ms (not a backed-pipe server, or one that expects TLS)",
        dial(http, Duration.ofMillis(500)));
  }

  @Test
  void shouldSayTheServerClosedBeforeItsChallenge() throws Exception {
    InetSocketAddress hangsUp = server(Flow.fromSinkAndSource(Sink.cancelled(), Source.empty()));
    assertEquals("closed before its challenge (not a backed-pipe server, or one at its handshake"
        + " limit)", dial(hangsUp));
  }
}
