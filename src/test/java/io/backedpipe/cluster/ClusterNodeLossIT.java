package io.backedpipe.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.BackedPipe;
import io.backedpipe.PeerClosedException;
import io.backedpipe.PipeEvent;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.transport.HandshakeRefusedException;
import io.backedpipe.wire.HandshakeStatus;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A node of a three-node cluster goes away while clients use it: killed (it just stops, as a
 * crashed process would) or leaving gracefully. The clients of the pipes it hosted learn it with a
 * typed error; every other stream carries on, whichever node its links used.
 */
class ClusterNodeLossIT {
  private static final Duration GRACE = Duration.ofSeconds(60);

  private final ActorTestKit clients = ActorTestKit.create("clients");
  private ClusterNodes nodes;
  private final List<ClusterPipeServer> servers = new ArrayList<>();
  /** Which node hosts each stream: told by the nodes' onNewPipe. */
  private final Map<UUID, Integer> hosts = new ConcurrentHashMap<>();

  @AfterEach
  void stop() {
    clients.shutdownTestKit();
    if (nodes != null) {
      nodes.close();
    }
  }

  private void startCluster(String config) throws Exception {
    nodes = new ClusterNodes(3, config);
    for (int i = 0; i < nodes.size(); i++) {
      ActorSystem<Void> node = nodes.node(i);
      int index = i;
      servers.add(ClusterPipeServer.bind(node, "127.0.0.1", 0,
              ServerSettings.create(node).withGrace(GRACE), ClusterPipeIT.pipeSettings(node),
              ClusterPipeIT.transport(node), Optional.empty(), (id, pipe) -> {
                hosts.put(id, index);
                pipe.source().runWith(pipe.sink(), node);
              })
          .toCompletableFuture().get(10, TimeUnit.SECONDS));
    }
  }

  /** A stream per seed, each connected; returns them with their ids. */
  private Map<UUID, BackedPipe> streams(int count) throws Exception {
    List<InetSocketAddress> addresses = servers.stream().map(ClusterPipeServer::address).toList();
    Map<UUID, BackedPipe> pipes = new ConcurrentHashMap<>();
    for (int s = 0; s < count; s++) {
      UUID id = UUID.randomUUID();
      RandomNodeReconnector dialer = new RandomNodeReconnector(clients.system(), addresses, id,
          ClusterPipeIT.transport(clients.system()), s);
      BackedPipe pipe = BackedPipe.of(clients.spawn(BackedPipe.create(dialer,
          ClusterPipeIT.pipeSettings(clients.system()))), clients.system());
      pipe.connect().toCompletableFuture().get(30, TimeUnit.SECONDS);
      pipes.put(id, pipe);
    }
    return pipes;
  }

  /** A node other than the seed that hosts at least one of the streams. */
  private int victim(Map<UUID, BackedPipe> pipes) {
    return pipes.keySet().stream().map(hosts::get).filter(node -> node != 0).findFirst()
        .orElseThrow(() -> new AssertionError("every stream on the seed: " + hosts));
  }

  private TestProbe<PipeEvent> events(BackedPipe pipe) {
    TestProbe<PipeEvent> probe = clients.createTestProbe();
    pipe.subscribe(probe.ref());
    return probe;
  }

  /** The streams not hosted by {@code gone} still echo, through the remaining nodes. */
  private void assertOthersEcho(Map<UUID, BackedPipe> pipes, int gone) throws Exception {
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

  @Test
  void shouldRefuseTheStreamsOfAKilledNodeWithUnknownStreamWithinTheGracePeriod()
      throws Exception {
    // Terminating the actor system must not leave the cluster: the node just disappears.
    startCluster("pekko.coordinated-shutdown.run-by-actor-system-terminate = off");
    Map<UUID, BackedPipe> pipes = streams(8);
    int victim = victim(pipes);
    Map<UUID, TestProbe<PipeEvent>> probes = new ConcurrentHashMap<>();
    pipes.forEach((id, pipe) -> {
      if (hosts.get(id) == victim) {
        probes.put(id, events(pipe));
      }
    });
    long killed = System.nanoTime();
    nodes.node(victim).terminate();
    for (TestProbe<PipeEvent> probe : probes.values()) {
      PipeEvent.Closed closed = (PipeEvent.Closed) probe.fishForMessage(GRACE, event ->
          event instanceof PipeEvent.Closed ? FishingOutcomes.complete()
              : FishingOutcomes.continueAndIgnore()).get(0);
      Throwable cause = closed.error().orElseThrow();
      while (!(cause instanceof HandshakeRefusedException) && cause.getCause() != null) {
        cause = cause.getCause();
      }
      assertTrue(cause instanceof HandshakeRefusedException, () -> "closed by " + closed);
      assertEquals(HandshakeStatus.UNKNOWN_STREAM, ((HandshakeRefusedException) cause).status());
    }
    System.out.printf("killed node: %d streams refused UNKNOWN_STREAM after %.1f s%n",
        probes.size(), (System.nanoTime() - killed) / 1e9);
    assertOthersEcho(pipes, victim);
  }

  @Test
  void shouldClosePipesOfALeavingNodeWithAReasonTheClientSees() throws Exception {
    startCluster("");
    Map<UUID, BackedPipe> pipes = streams(8);
    int victim = victim(pipes);
    Map<UUID, TestProbe<PipeEvent>> probes = new ConcurrentHashMap<>();
    pipes.forEach((id, pipe) -> {
      if (hosts.get(id) == victim) {
        probes.put(id, events(pipe));
      }
    });
    long left = System.nanoTime();
    CoordinatedShutdown.get(nodes.node(victim)).run(CoordinatedShutdown.unknownReason());
    for (TestProbe<PipeEvent> probe : probes.values()) {
      PipeEvent.Closed closed = (PipeEvent.Closed) probe.fishForMessage(Duration.ofSeconds(30),
          event -> event instanceof PipeEvent.Closed ? FishingOutcomes.complete()
              : FishingOutcomes.continueAndIgnore()).get(0);
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
