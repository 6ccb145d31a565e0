package io.backedpipe.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** A {@link ChaosProxy} with several targets, over real TCP on loopback. */
class ChaosProxyTargetsIT {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);
  private static final int LINKS = 30;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static InetSocketAddress echo() throws Exception {
    return await(Tcp.get(testKit.system()).bind("127.0.0.1", 0, 100, List.of(), true,
            Optional.empty())
        .to(Sink.foreach(c -> c.handleWith(Flow.create(), testKit.system())))
        .run(testKit.system())).localAddress();
  }

  /** One connection through the proxy: a byte there and back proves it reached a target. */
  private static void echoOneByte(InetSocketAddress proxy) throws Exception {
    try (Socket socket = new Socket(proxy.getAddress(), proxy.getPort())) {
      socket.setSoTimeout(10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      out.write(7);
      out.flush();
      assertEquals(7, in.read());
    }
  }

  @Test
  void shouldForwardNewLinksToEveryTargetWhenGivenSeveral() throws Exception {
    List<InetSocketAddress> targets = List.of(echo(), echo(), echo());
    ChaosProxy proxy = await(ChaosProxy.start(testKit.system(), ANY, targets,
        ChaosSchedule.none()));
    for (int i = 0; i < LINKS; i++) {
      echoOneByte(proxy.address());
    }
    Map<InetSocketAddress, Long> counts = proxy.linksPerTarget();
    assertEquals(targets, List.copyOf(counts.keySet()));
    counts.forEach((target, links) -> assertTrue(links > 0, target + " got no link: " + counts));
    assertEquals(LINKS, counts.values().stream().mapToLong(Long::longValue).sum());
    await(proxy.stop());
  }

  @Test
  void shouldForwardEveryLinkToItsTargetWhenGivenOne() throws Exception {
    InetSocketAddress target = echo();
    ChaosProxy proxy = await(ChaosProxy.start(testKit.system(), ANY, target,
        ChaosSchedule.none()));
    for (int i = 0; i < 5; i++) {
      echoOneByte(proxy.address());
    }
    assertEquals(Map.of(target, 5L), proxy.linksPerTarget());
    await(proxy.stop());
  }
}
