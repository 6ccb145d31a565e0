package io.backedpipe.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static io.backedpipe.tunnel.ToolProcesses.freePort;
import static io.backedpipe.tunnel.ToolProcesses.read;
import static io.backedpipe.tunnel.ToolProcesses.tool;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool as a user runs it, in separate JVMs with its own logging: what it says when it cannot
 * listen, and what a stop of {@code connect} or {@code serve} (SIGTERM, as {@code
 * Process.destroy()} sends) does to the other end: the tunnel connection closes at once, and its
 * streams with it, well before the grace period, instead of waiting it out.
 */
class ToolProcessIT {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);
  /** Far longer than any await here: a stream closed by its grace period would fail the test. */
  private static final String GRACE = "60s";

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private static void awaitLine(Path dir, String file, Process process, String text) {
    testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
      assertTrue(read(dir, file).contains(text),
          file + " does not say '" + text + "' (yet): " + read(dir, file)
              + (process.isAlive() ? "" : " [exited]"));
      return null;
    });
  }

  /** An echo target whose every connection's end the test can await. */
  private record Target(InetSocketAddress address, List<CompletionStage<Done>> ends) {}

  private static Target target() throws Exception {
    List<CompletionStage<Done>> ends = new java.util.concurrent.CopyOnWriteArrayList<>();
    InetSocketAddress address = await(Tcp.get(testKit.system()).bind("127.0.0.1", 0, 100,
            List.of(), true, Optional.empty())
        .to(Sink.foreach(c -> c.handleWith(Flow.<ByteString>create()
            .watchTermination((mat, done) -> {
              ends.add(done);
              return mat;
            }), testKit.system())))
        .run(testKit.system())).localAddress();
    return new Target(address, ends);
  }

  /** serve and connect with a secret, the grace period long; one echoed stream through them. */
  private record Tunnel(Process serve, Process connect, LocalClient client, Target target) {
    void stop() throws InterruptedException {
      for (Process p : List.of(serve, connect)) {
        p.destroy();
        if (!p.waitFor(20, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  private static Tunnel echoedStream(Path dir) throws Exception {
    Target target = target();
    int servePort = freePort();
    int connectPort = freePort();
    Path secret = dir.resolve("secret");
    Files.writeString(secret, "a secret both ends share, 32 bytes+\n");
    Process serve = tool(dir, "serve", "serve", "--listen", "127.0.0.1:" + servePort,
        "--target", "127.0.0.1:" + target.address().getPort(), "--grace", GRACE,
        "--secret-file", secret.toString());
    Process connect = tool(dir, "connect", "connect", "--server", "127.0.0.1:" + servePort,
        "--listen", "127.0.0.1:" + connectPort, "--grace", GRACE,
        "--secret-file", secret.toString());
    awaitLine(dir, "serve.out", serve, "serving on");
    awaitLine(dir, "connect.out", connect, "forwarding");
    LocalClient client = new LocalClient(testKit.system(),
        new InetSocketAddress("127.0.0.1", connectPort));
    await(client.send(ByteString.fromString("hello")));
    testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
      assertEquals("hello", client.received().utf8String());
      return null;
    });
    awaitLine(dir, "serve.err", serve, ": connected");
    return new Tunnel(serve, connect, client, target);
  }

  @Test
  void shouldCloseTheServersStreamAtOnceWhenConnectIsStopped(@TempDir Path dir)
      throws Exception {
    Tunnel tunnel = echoedStream(dir);
    try {
      tunnel.connect().destroy(); // SIGTERM
      // the target's connection ends long before the 60s grace period would have ended it
      CompletableFuture<Done> ended = tunnel.target().ends().get(0).toCompletableFuture();
      ended.handle((done, error) -> done).get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      awaitLine(dir, "serve.err", tunnel.serve(),
          ": closed by the other end: \"connect is shutting down\"");
      assertTrue(tunnel.connect().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
      String log = read(dir, "connect.err");
      assertTrue(log.contains("INFO  io.backedpipe.tunnel.TunnelStreams - shutting down: closing"
          + " 1 tunnel connection\n"), log);
      assertTrue(log.contains("INFO  io.backedpipe.tunnel.TunnelStreams - shut down: 1 tunnel"
          + " connection closed, carrying 1 stream, every byte acknowledged\n"), log);
    } finally {
      tunnel.stop();
    }
  }

  @Test
  void shouldCloseTheClientsConnectionAtOnceWhenServeIsStopped(@TempDir Path dir)
      throws Exception {
    Tunnel tunnel = echoedStream(dir);
    try {
      tunnel.serve().destroy(); // SIGTERM
      // the local connection ends long before connect's 60s of retrying would have ended it
      tunnel.client().done().toCompletableFuture().handle((done, error) -> done)
          .get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      awaitLine(dir, "connect.err", tunnel.connect(),
          ": closed by the other end: \"serve is shutting down\"");
      assertTrue(tunnel.serve().waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
      assertTrue(read(dir, "serve.err").contains("shutting down: closing 1 tunnel connection"),
          read(dir, "serve.err"));
    } finally {
      tunnel.stop();
    }
  }

  @Test
  void shouldSayInOneLineWithoutAStackTraceThatThePortIsTaken(@TempDir Path dir)
      throws Exception {
    try (ServerSocket taken = new ServerSocket(0, 1, java.net.InetAddress.getLoopbackAddress())) {
      Process serve = tool(dir, "serve", "serve", "--listen", "127.0.0.1:" + taken.getLocalPort(),
          "--target", "127.0.0.1:1");
      assertTrue(serve.waitFor(TIMEOUT.toSeconds(), TimeUnit.SECONDS));
      assertEquals(1, serve.exitValue());
      assertEquals("serve: cannot listen on 127.0.0.1:" + taken.getLocalPort()
          + ": address already in use\n", read(dir, "serve.err"));
      assertEquals("", read(dir, "serve.out"));
    }
  }
}
