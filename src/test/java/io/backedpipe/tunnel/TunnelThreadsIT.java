package io.backedpipe.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.StartedThreads;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A tunnel stream costs no thread. Pekko's Java API hands out completion stages (a TCP
 * connection's, {@code watchTermination}'s) that run every callback on {@code CompletableFuture}'s
 * default executor, which on a machine of one or two cores is a new thread per callback (and in
 * the tests on any machine: surefire sizes the common pool to one thread). The tunnel once hung
 * five callbacks per stream on such stages, and starting those threads was about a third of a new
 * stream's CPU time.
 */
class TunnelThreadsIT {
  private static final ActorTestKit testKit = ActorTestKit.create(StartedThreads.FIXED_POOLS);
  private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);
  private static final int STREAMS = 40;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void shouldStartNoThreadPerStream() throws Exception {
    InetSocketAddress echo = EchoTarget.start(testKit.system());
    ServeTunnel serve = ServeTunnel.start(testKit.system(), ANY, echo, Optional.empty())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    ConnectTunnel connect = ConnectTunnel.start(testKit.system(), ANY, serve.address(),
        Optional.empty()).toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      echoOnce(connect.address(), 0); // the pipe, the actors and the pools are up
      long started = StartedThreads.during(() -> {
        for (int i = 1; i <= STREAMS; i++) {
          echoOnce(connect.address(), i);
        }
      });
      assertTrue(started < STREAMS / 4, started + " threads started for " + STREAMS
          + " streams opened, echoed and closed");
    } finally {
      connect.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
      serve.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }

  private static void echoOnce(InetSocketAddress address, int value) throws IOException {
    try (Socket socket = new Socket()) {
      socket.setSoTimeout(10_000);
      socket.connect(address, 10_000);
      socket.getOutputStream().write(value);
      assertEquals(value, socket.getInputStream().read());
    }
  }
}
