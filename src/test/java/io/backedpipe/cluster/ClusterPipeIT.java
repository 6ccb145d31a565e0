package io.backedpipe.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.transport.TransportSettings;
import java.net.InetSocketAddress;
import java.security.MessageDigest;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pipes served by a three-node cluster in this JVM: every link of every stream lands on a random
 * node, so most cross the cluster to the node hosting their pipe, and the streams are reset while
 * they run. Clients run in an actor system of their own, as they would in another process.
 */
class ClusterPipeIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final int CHUNK = 64 * 1024;

  private static ClusterNodes nodes;
  private static final List<ClusterPipeServer> servers = new ArrayList<>();
  private static final ActorTestKit clients = ActorTestKit.create("clients");

  @BeforeAll
  static void startCluster() throws Exception {
    nodes = new ClusterNodes(3, "");
    for (int i = 0; i < nodes.size(); i++) {
      ActorSystem<Void> node = nodes.node(i);
      servers.add(ClusterPipeServer.bind(node, "127.0.0.1", 0, ServerSettings.create(node),
              pipeSettings(node), transport(node), Optional.empty(),
              (id, pipe) -> pipe.source().runWith(pipe.sink(), node))
          .toCompletableFuture().get(10, TimeUnit.SECONDS));
    }
  }

  @AfterAll
  static void stopCluster() {
    clients.shutdownTestKit();
    nodes.close();
  }

  static PipeSettings pipeSettings(ActorSystem<?> system) {
    return PipeSettings.create(system)
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(200)));
  }

  static TransportSettings transport(ActorSystem<?> system) {
    return TransportSettings.create(system)
        .withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(2));
  }

  private static List<InetSocketAddress> addresses() {
    return servers.stream().map(ClusterPipeServer::address).toList();
  }

  /** The bytes of stream {@code seed}, {@code chunks} chunks of 64 KiB. */
  private static Source<ByteString, ?> bytes(long seed, int chunks) {
    Random random = new Random(seed);
    return Source.range(1, chunks).map(i -> {
      byte[] chunk = new byte[CHUNK];
      random.nextBytes(chunk);
      return ByteString.fromArrayUnsafe(chunk);
    });
  }

  private static CompletionStage<byte[]> digest(Source<ByteString, ?> source) {
    return source.runWith(Sink.fold(sha256(), (digest, bytes) -> {
      bytes.getByteBuffers().forEach(digest::update);
      return digest;
    }), clients.system()).thenApply(MessageDigest::digest);
  }

  private static MessageDigest sha256() {
    try {
      return MessageDigest.getInstance("SHA-256");
    } catch (java.security.NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }

  /**
   * Four streams echo their bytes through the cluster while each is made to reconnect, to a
   * random node, every {@code resetEvery} chunks: every byte comes back once, in order.
   */
  @Test
  void shouldEchoStreamsByteIdenticalWhenEveryLinkLandsOnARandomNode() throws Exception {
    int streams = 4;
    int chunks = Integer.getInteger("cluster.it.chunks", 128); // 8 MiB per stream
    int resetEvery = 16;
    List<RandomNodeReconnector> dialers = new ArrayList<>();
    List<BackedPipe> pipes = new ArrayList<>();
    List<CompletableFuture<byte[]>> echoed = new ArrayList<>();
    List<byte[]> expected = new ArrayList<>();
    for (int s = 0; s < streams; s++) {
      RandomNodeReconnector dialer = new RandomNodeReconnector(clients.system(), addresses(),
          UUID.randomUUID(), transport(clients.system()), s);
      dialers.add(dialer);
      BackedPipe client = BackedPipe.of(clients.spawn(BackedPipe.create(dialer,
          pipeSettings(clients.system()))), clients.system());
      pipes.add(client);
      client.connect().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      expected.add(digest(bytes(s, chunks)).toCompletableFuture().get());
      echoed.add(digest(client.source()).toCompletableFuture());
      // Every resetEvery chunks the link is dropped and the next one dials a random node.
      bytes(s, chunks).zipWithIndex().mapAsync(1, pair -> pair.second() % resetEvery
              == resetEvery - 1
              ? client.forceReconnect().thenApply(done -> pair.first())
              : CompletableFuture.completedFuture(pair.first()))
          .runWith(client.sink(), clients.system());
    }
    long start = System.nanoTime();
    for (int s = 0; s < streams; s++) {
      assertArrayEquals(expected.get(s),
          echoed.get(s).get(TIMEOUT.toSeconds() * 3, TimeUnit.SECONDS), "stream " + s);
    }
    for (int node = 0; node < servers.size(); node++) {
      int links = 0;
      for (RandomNodeReconnector dialer : dialers) {
        links += dialer.links(node);
      }
      assertTrue(links > 0, "node " + node + " got no link");
    }
    System.out.printf("cluster echo: %d streams x %d MiB byte-identical, a reset every %d KiB,"
        + " links per node %s, in %.1f s%n", streams, chunks * CHUNK >> 20,
        resetEvery * CHUNK >> 10, linksPerNode(dialers), (System.nanoTime() - start) / 1e9);
    for (BackedPipe pipe : pipes) {
      pipe.close().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
  }

  private List<Integer> linksPerNode(List<RandomNodeReconnector> dialers) {
    List<Integer> links = new ArrayList<>();
    for (int node = 0; node < servers.size(); node++) {
      int count = 0;
      for (RandomNodeReconnector dialer : dialers) {
        count += dialer.links(node);
      }
      links.add(count);
    }
    return links;
  }

  @Test
  void shouldHostEachStreamOnExactlyOneNode() throws Exception {
    List<BackedPipe> pipes = new ArrayList<>();
    awaitHosted(0); // the other test's streams are closed, and their entities gone
    for (int s = 0; s < 12; s++) {
      RandomNodeReconnector dialer = new RandomNodeReconnector(clients.system(), addresses(),
          UUID.randomUUID(), transport(clients.system()), 100 + s);
      BackedPipe client = BackedPipe.of(clients.spawn(BackedPipe.create(dialer,
          pipeSettings(clients.system()))), clients.system());
      client.connect().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      pipes.add(client);
    }
    assertEquals(12, hosted());
    for (BackedPipe pipe : pipes) {
      pipe.close().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }
    awaitHosted(0);
  }

  private static void awaitHosted(int expected) {
    clients.createTestProbe().awaitAssert(Duration.ofSeconds(20), () -> {
      assertEquals(expected, hosted());
      return null;
    });
  }

  private static int hosted() {
    int total = 0;
    for (ClusterPipeServer server : servers) {
      total += server.hostedPipes(Duration.ofSeconds(5)).toCompletableFuture().join();
    }
    return total;
  }
}
