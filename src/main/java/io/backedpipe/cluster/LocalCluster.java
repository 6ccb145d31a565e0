package io.backedpipe.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.Cluster;

/**
 * Several cluster nodes in one JVM on loopback, the first the seed of the others: for the demo,
 * the benchmarks and tests, which show a cluster without starting processes. Each node is an
 * actor system of its own with a free Artery port, as a process would be.
 *
 * <pre>{@code
 * try (LocalCluster cluster = LocalCluster.start(3, ConfigFactory.empty(), Duration.ofSeconds(30))) {
 *   ClusterPipeServer.bind(cluster.node(0), "127.0.0.1", 0, onNewPipe);  // and so on for each node
 * }
 * }</pre>
 */
public final class LocalCluster implements AutoCloseable {
  /** What every node in one JVM needs: one MBean per node, loopback, no JVM shutdown hook. */
  private static final String IN_ONE_JVM = """
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      """;

  private final List<ActorSystem<Void>> nodes;
  private final Config base;
  private final String seed;

  private LocalCluster(List<ActorSystem<Void>> nodes, Config base, String seed) {
    this.nodes = nodes;
    this.base = base;
    this.seed = seed;
  }

  /**
   * Starts {@code count} nodes and waits until each is up.
   *
   * @param count how many, at least 1
   * @param config configuration for every node, in front of the defaults (behind what every node
   *     in one JVM needs and its cluster address)
   * @param timeout how long the nodes may take to come up
   * @return the cluster
   * @throws IllegalStateException when a node is not up in time (every node is stopped then)
   */
  public static LocalCluster start(int count, Config config, Duration timeout) {
    if (count < 1) {
      throw new IllegalArgumentException("count=" + count + " must be >= 1");
    }
    // In front: a resolved application config carries Pekko's defaults for these keys.
    Config base = ConfigFactory.parseString(IN_ONE_JVM).withFallback(config);
    List<ActorSystem<Void>> nodes = new ArrayList<>();
    List<CompletableFuture<Void>> up = new ArrayList<>();
    ActorSystem<Void> seed = node(base, List.of());
    Address seedAddress = Cluster.get(Adapter.toClassic(seed)).selfAddress();
    nodes.add(seed);
    up.add(whenUp(seed));
    Cluster.get(Adapter.toClassic(seed)).join(seedAddress);
    String seedHostPort = seedAddress.getHost().get() + ":" + seedAddress.getPort().get();
    for (int i = 1; i < count; i++) {
      ActorSystem<Void> node = node(base, List.of(seedHostPort));
      nodes.add(node);
      up.add(whenUp(node));
    }
    LocalCluster cluster = new LocalCluster(nodes, base, seedHostPort);
    try {
      CompletableFuture.allOf(up.toArray(CompletableFuture[]::new))
          .get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      cluster.close();
      throw new IllegalStateException(count + " nodes not up within " + timeout, e);
    }
    return cluster;
  }

  /**
   * Starts one more node, with {@code config} in front of its cluster address (to put its Artery
   * port behind a proxy, say: {@code pekko.remote.artery.canonical.port} the proxy's,
   * {@code bind.port} its own), and waits until it is up.
   *
   * @param config the node's own configuration
   * @param timeout how long it may take to come up
   * @return its index
   * @throws IllegalStateException when it is not up in time (it is stopped then)
   */
  public int join(Config config, Duration timeout) {
    ActorSystem<Void> node = ActorSystem.create(Behaviors.empty(), ClusterNodeConfig.SYSTEM_NAME,
        config.withFallback(ClusterNodeConfig.of("127.0.0.1", 0, List.of(seed)))
            .withFallback(base).withFallback(ConfigFactory.load()));
    nodes.add(node);
    try {
      whenUp(node).get(timeout.toMillis(), TimeUnit.MILLISECONDS);
    } catch (Exception e) {
      node.terminate();
      throw new IllegalStateException("node not up within " + timeout, e);
    }
    return nodes.size() - 1;
  }

  private static ActorSystem<Void> node(Config base, List<String> seeds) {
    Config config = ClusterNodeConfig.of("127.0.0.1", 0, seeds).withFallback(base)
        .withFallback(ConfigFactory.load());
    return ActorSystem.create(Behaviors.empty(), ClusterNodeConfig.SYSTEM_NAME, config);
  }

  private static CompletableFuture<Void> whenUp(ActorSystem<Void> node) {
    CompletableFuture<Void> up = new CompletableFuture<>();
    Cluster.get(Adapter.toClassic(node)).registerOnMemberUp(() -> up.complete(null));
    return up;
  }

  /**
   * One node.
   *
   * @param index its index, 0 the seed
   * @return its actor system
   */
  public ActorSystem<Void> node(int index) {
    return nodes.get(index);
  }

  /**
   * How many nodes were started.
   *
   * @return the count
   */
  public int size() {
    return nodes.size();
  }

  /**
   * Stops the nodes still running one after the other, the last to join first, each leaving while
   * the others are there to see it go (nodes that leave all at once wait out
   * {@code cluster-exiting}'s timeout, about 10 s); waits up to 30 s for each.
   *
   * @throws IllegalStateException when a node does not stop in time (the others are still stopped)
   */
  @Override
  public void close() {
    List<String> stuck = new ArrayList<>();
    for (int i = nodes.size() - 1; i >= 0; i--) {
      ActorSystem<Void> node = nodes.get(i);
      node.terminate();
      try {
        node.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        stuck.add(node.address().toString());
      }
    }
    if (!stuck.isEmpty()) {
      throw new IllegalStateException("nodes did not stop within 30 s: " + stuck);
    }
  }
}
