package io.backedpipe.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static io.backedpipe.tunnel.ToolProcesses.freePort;
import static io.backedpipe.tunnel.ToolProcesses.read;
import static io.backedpipe.tunnel.ToolProcesses.tool;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The tool as a user runs it: {@code serve}, {@code proxy} and {@code connect} in three separate
 * JVMs, the proxy resetting, closing and blackholing the link between them, while several echo
 * streams pass through {@code connect} and must come back byte for byte.
 */
class SeparateProcessesIT {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration TIMEOUT = Duration.ofSeconds(30);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private static void awaitBanner(Path dir, String name, Process process, String banner) {
    ToolProcesses.awaitBanner(testKit, TIMEOUT, dir, name, process, banner);
  }

  @Test
  void shouldKeepEchoStreamsByteExactAcrossProcessesThroughResetsAndBlackholes(
      @TempDir Path dir) throws Exception {
    InetSocketAddress echo = EchoTarget.start(testKit.system());
    int servePort = freePort();
    int proxyPort = freePort();
    int connectPort = freePort();
    Path secret = dir.resolve("secret");
    Files.writeString(secret, "a secret both ends share, 32 bytes+\n");
    String[] heartbeats = {"--heartbeat-interval", "100ms", "--heartbeat-timeout", "500ms",
        "--config", new File("application.conf").getAbsolutePath(),
        "--secret-file", secret.toString()};
    List<Process> processes = new ArrayList<>();
    try {
      Process serve = tool(dir, "serve", concat(new String[] {"serve", "--listen",
          "127.0.0.1:" + servePort, "--target", "127.0.0.1:" + echo.getPort()}, heartbeats));
      processes.add(serve);
      Process proxy = tool(dir, "proxy", "proxy", "--listen", "127.0.0.1:" + proxyPort,
          "--target", "127.0.0.1:" + servePort, "--fault-interval", "150ms",
          "--blackhole-chance", "0.15", "--blackhole-min", "700ms", "--blackhole-max", "900ms",
          "--seed", "3");
      processes.add(proxy);
      Process connect = tool(dir, "connect", concat(new String[] {"connect", "--server",
          "127.0.0.1:" + proxyPort, "--listen", "127.0.0.1:" + connectPort}, heartbeats));
      processes.add(connect);
      awaitBanner(dir, "serve", serve, "serving on");
      awaitBanner(dir, "proxy", proxy, "proxying");
      awaitBanner(dir, "connect", connect, "forwarding");

      InetSocketAddress local = new InetSocketAddress("127.0.0.1", connectPort);
      Random random = new Random(11);
      List<LocalClient> clients = new ArrayList<>();
      List<ByteString> sent = new ArrayList<>();
      for (int i = 0; i < 3; i++) {
        clients.add(new LocalClient(testKit.system(), local));
        sent.add(ByteString.emptyByteString());
      }
      // Rounds of writes, each waiting for its echo, so the faults land while streams are open.
      for (int round = 0; round < 8; round++) {
        LocalClient.echoRound(testKit, clients, sent, random, 256 * 1024, TIMEOUT);
      }
      for (int i = 0; i < clients.size(); i++) {
        clients.get(i).finish();
        await(clients.get(i).done());
        assertEquals(sent.get(i), clients.get(i).received(), "stream " + i);
      }
      String connectLog = read(dir, "connect.err");
      assertTrue(connectLog.contains("link lost"), connectLog);
      assertTrue(connectLog.contains("resumed on connection"), connectLog);
    } catch (Exception | AssertionError e) {
      // The processes' logs say what happened on their side.
      throw new AssertionError(e + "\n--- connect:\n" + read(dir, "connect.err")
          + "\n--- serve:\n" + read(dir, "serve.err"), e);
    } finally {
      for (Process p : processes) {
        p.destroy();
      }
      for (Process p : processes) {
        if (!p.waitFor(10, TimeUnit.SECONDS)) {
          p.destroyForcibly();
        }
      }
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] all = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, all, a.length, b.length);
    return all;
  }
}
