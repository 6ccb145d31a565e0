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
import io.backedpipe.PeerClosedException;
import io.backedpipe.PipeEvent;
import io.backedpipe.transport.HandshakeRefusedException;
import io.backedpipe.wire.HandshakeStatus;
import java.util.Map;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import io.backedpipe.chaos.ChaosProxy;
import io.backedpipe.chaos.ChaosSchedule;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Pipes served by a three-node cluster in this JVM (a fourth joins for the partition): every link of every stream lands on a random
 * node, so most cross the cluster to the node hosting their pipe, and the streams are reset while
 * they run. Then nodes go away while clients use them: one cut off from the others (a
 * partition) and one leaving gracefully (a killed node is ClusterProcessesIT's): the clients of the pipes it hosted learn it with
 * a typed error, and every other stream carries on, whichever node its links used. Clients run in
 * an actor system of their own, as they would in another process. One cluster for all, so the
 * tests run in order: the node losses last.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterPipeIT {
  private static final Duration TIMEOUT = Duration.ofSeconds(60);
  private static final Duration GRACE = Duration.ofSeconds(60);
  private static final int CHUNK = 64 * 1024;

  private static ClusterNodes nodes;
  private static final List<ClusterPipeServer> servers = new ArrayList<>();
  /** Which node hosts each stream: told by the nodes' onNewPipe. */
  private static final Map<UUID, Integer> hosts = new ConcurrentHashMap<>();
  /** The proxy in front of one node's Artery port, and that node. */
  private static ChaosProxy arteryProxy;
  private static int partitioned = -1;
  /** The nodes still running. */
  private static final Set<Integer> alive = ConcurrentHashMap.newKeySet();
  private static final ActorTestKit clients = ActorTestKit.create("clients");

  @BeforeAll
  static void startCluster() throws Exception {
    // Nodes stopped at the end just stop, without leaving the cluster first: quicker.
    nodes = new ClusterNodes(3, "pekko.coordinated-shutdown.run-by-actor-system-terminate = off");
    for (int i = 0; i < nodes.size(); i++) {
      bind(i);
    }
  }

  /** Binds a server on node {@code index}, whose pipes echo and say where they live. */
  private static void bind(int index) throws Exception {
    ActorSystem<Void> node = nodes.node(index);
    servers.add(ClusterPipeServer.bind(node, "127.0.0.1", 0, ServerSettings.create(node),
            pipeSettings(node), transport(node), Optional.empty(), (id, pipe) -> {
              hosts.put(id, index);
              pipe.source().runWith(pipe.sink(), node);
            })
        .toCompletableFuture().get(10, TimeUnit.SECONDS));
    alive.add(index);
  }

  private static int freePort() throws java.io.IOException {
    try (java.net.ServerSocket socket = new java.net.ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  @AfterAll
  static void stopCluster() {
    if (arteryProxy != null) {
      arteryProxy.stop();
    }
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

  /** The nodes' client ports; a dead node's stays in the list, as a load balancer's would. */
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
  @Order(1)
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
  @Order(2)
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
    for (int node : alive) {
      total += servers.get(node).hostedPipes(Duration.ofSeconds(5)).toCompletableFuture().join();
    }
    return total;
  }

  /** A stream per seed, each connected; returns them with their ids. */
  private static Map<UUID, BackedPipe> streams(int count) throws Exception {
    List<InetSocketAddress> addresses = alive.stream().sorted().map(servers::get)
        .map(ClusterPipeServer::address).toList();
    Map<UUID, BackedPipe> pipes = new ConcurrentHashMap<>();
    for (int s = 0; s < count; s++) {
      UUID id = UUID.randomUUID();
      RandomNodeReconnector dialer = new RandomNodeReconnector(clients.system(), addresses, id,
          transport(clients.system()), s);
      BackedPipe pipe = BackedPipe.of(clients.spawn(BackedPipe.create(dialer,
          pipeSettings(clients.system()))), clients.system());
      pipe.connect().toCompletableFuture().get(30, TimeUnit.SECONDS);
      pipes.put(id, pipe);
    }
    return pipes;
  }

  /** A running node other than the seed and the partitioned one that hosts one of the streams. */
  private static int victim(Map<UUID, BackedPipe> pipes) {
    return pipes.keySet().stream().map(hosts::get).filter(node -> node != 0)
        .filter(node -> node != partitioned).filter(alive::contains).findFirst()
        .orElseThrow(() -> new AssertionError("no stream on a node to lose: " + hosts));
  }

  /** At least {@code count} new streams, and more until {@code node} hosts one (at most 40). */
  private static Map<UUID, BackedPipe> streamsOn(int node, int count) throws Exception {
    Map<UUID, BackedPipe> pipes = streams(count);
    while (!pipes.keySet().stream().map(hosts::get).toList().contains(node)
        && pipes.size() < 40) {
      pipes.putAll(streams(1));
    }
    return pipes;
  }

  /** A probe of the events of each stream {@code node} hosts. */
  private static List<TestProbe<PipeEvent>> eventsOfStreamsOn(int node,
      Map<UUID, BackedPipe> pipes) {
    List<TestProbe<PipeEvent>> probes = new ArrayList<>();
    pipes.forEach((id, pipe) -> {
      if (hosts.get(id) == node) {
        probes.add(events(pipe));
      }
    });
    return probes;
  }

  private static PipeEvent.Closed awaitClosed(TestProbe<PipeEvent> probe, Duration within) {
    return (PipeEvent.Closed) probe.fishForMessage(within, event ->
        event instanceof PipeEvent.Closed ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore()).get(0);
  }

  private static TestProbe<PipeEvent> events(BackedPipe pipe) {
    TestProbe<PipeEvent> probe = clients.createTestProbe();
    pipe.subscribe(probe.ref());
    return probe;
  }

  /** The streams not hosted by {@code gone} still echo, through the remaining nodes. */
  private static void assertOthersEcho(Map<UUID, BackedPipe> pipes, int gone) throws Exception {
    ByteString hello = ByteString.fromString("still here");
    for (Map.Entry<UUID, BackedPipe> entry : pipes.entrySet()) {
      if (hosts.get(entry.getKey()) == gone) {
        continue;
      }
      BackedPipe pipe = entry.getValue();
      Source.single(hello).runWith(pipe.sink(), clients.system());
      ByteString echoed = pipe.source().take(1)
          .runWith(Sink.head(), clients.system()).toCompletableFuture().get(30, TimeUnit.SECONDS);
      assertEquals(hello, echoed, "stream " + entry.getKey());
    }
  }

  /**
   * The proxy in front of one node's Artery port goes silent: the others cannot reach it, and it
   * hears no answer from them. The majority downs it, it downs itself (split-brain resolver,
   * keep-majority) and shuts down. Its streams end with a typed error, whichever the client gets
   * first: the CLOSE of its shutdown or, on the next link, UNKNOWN_STREAM.
   */
  @Test
  @Order(3)
  void shouldEndTheStreamsOfAPartitionedNodeWithATypedErrorAndKeepTheOthers() throws Exception {
    // A fourth node, which the others reach through a proxy that can cut it off. New shards go
    // to the node with the fewest, so it hosts some of the new streams.
    int arteryPort = freePort();
    arteryProxy = ChaosProxy.start(clients.system(), new InetSocketAddress("127.0.0.1", 0),
            List.of(new InetSocketAddress("127.0.0.1", arteryPort)), ChaosSchedule.none())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    partitioned = nodes.joinBehindProxy(arteryProxy.address().getPort(), arteryPort);
    bind(partitioned);
    Map<UUID, BackedPipe> pipes = streamsOn(partitioned, 8);
    List<TestProbe<PipeEvent>> probes = eventsOfStreamsOn(partitioned, pipes);
    List<String> errors = new ArrayList<>();
    long cut = System.nanoTime();
    alive.remove(partitioned);
    arteryProxy.inject(io.backedpipe.chaos.Fault.BLACKHOLE, Duration.ofMinutes(2));
    for (TestProbe<PipeEvent> probe : probes) {
      PipeEvent.Closed closed = awaitClosed(probe, GRACE);
      Throwable cause = closed.error().orElseThrow(() -> new AssertionError("" + closed));
      while (!(cause instanceof HandshakeRefusedException || cause instanceof PeerClosedException)
          && cause.getCause() != null) {
        cause = cause.getCause();
      }
      assertTrue(cause instanceof PeerClosedException
          || cause instanceof HandshakeRefusedException refused
              && refused.status() == HandshakeStatus.UNKNOWN_STREAM, () -> "closed by " + closed);
      errors.add(cause.getClass().getSimpleName());
    }
    System.out.printf("partitioned node: %d streams ended with a typed error after %.1f s: %s%n",
        probes.size(), (System.nanoTime() - cut) / 1e9, errors);
    assertOthersEcho(pipes, partitioned);
  }

  @Test
  @Order(4)
  void shouldClosePipesOfALeavingNodeWithAReasonTheClientSees() throws Exception {
    Map<UUID, BackedPipe> pipes = streams(8);
    int victim = victim(pipes);
    List<TestProbe<PipeEvent>> probes = eventsOfStreamsOn(victim, pipes);
    long left = System.nanoTime();
    alive.remove(victim);
    CoordinatedShutdown.get(nodes.node(victim)).run(CoordinatedShutdown.unknownReason());
    for (TestProbe<PipeEvent> probe : probes) {
      PipeEvent.Closed closed = awaitClosed(probe, Duration.ofSeconds(30));
      PeerClosedException peer = (PeerClosedException) closed.error()
          .filter(PeerClosedException.class::isInstance)
          .orElseThrow(() -> new AssertionError("closed by " + closed));
      assertTrue(peer.reason().contains("leaving the cluster"), peer::getMessage);
    }
    System.out.printf("leaving node: %d streams closed with its reason after %.1f s%n",
        probes.size(), (System.nanoTime() - left) / 1e9);
    assertOthersEcho(pipes, victim);
  }
}
