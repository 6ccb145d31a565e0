package io.backedpipe.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * Several cluster nodes in this JVM on loopback, the first the seed of the others: what a test
 * of cluster mode starts from.
 */
final class ClusterNodes implements AutoCloseable {
  /** Quick failure detection and downing, so a crashed node is removed within seconds. */
  private static final String FAST = """
      pekko.loglevel = INFO
      pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
      pekko.cluster.split-brain-resolver.stable-after = 2s
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2s
      pekko.cluster.failure-detector.heartbeat-interval = 500ms
      pekko.remote.artery.advanced.give-up-system-message-after = 5s
      pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off
      pekko.coordinated-shutdown.terminate-actor-system = on
      """;

  private final List<ActorSystem<Void>> systems = new ArrayList<>();

  /**
   * Starts {@code count} nodes and waits until all are up.
   *
   * @param count how many
   * @param extra configuration for every node, in front of the defaults
   */
  ClusterNodes(int count, String extra) {
    Config base = ConfigFactory.parseString(extra).withFallback(ConfigFactory.parseString(FAST));
    ActorSystem<Void> seed = start(base, 0, List.of());
    Address address = Cluster.get(seed).selfMember().address();
    String seedHostPort = address.getHost().get() + ":" + address.getPort().get();
    Cluster.get(seed).manager().tell(
        new org.apache.pekko.cluster.typed.Join(address));
    systems.add(seed);
    for (int i = 1; i < count; i++) {
      systems.add(start(base, 0, List.of(seedHostPort)));
    }
    ActorTestKit probe = ActorTestKit.create(seed);
    probe.createTestProbe().awaitAssert(Duration.ofSeconds(30), () -> {
      for (ActorSystem<Void> system : systems) {
        long up = java.util.stream.StreamSupport.stream(
                Cluster.get(system).state().getMembers().spliterator(), false)
            .filter(m -> m.status() == MemberStatus.up()).count();
        if (up != count) {
          throw new AssertionError(system.address() + " sees " + up + " of " + count + " up");
        }
      }
      return null;
    });
  }

  private static ActorSystem<Void> start(Config base, int port, List<String> seeds) {
    Config config = ClusterNodeConfig.of("127.0.0.1", port, seeds).withFallback(base)
        .withFallback(ConfigFactory.load());
    return ActorSystem.create(Behaviors.empty(), ClusterNodeConfig.SYSTEM_NAME, config);
  }

  /**
   * One node.
   *
   * @param index its index, 0 the seed
   * @return its actor system
   */
  ActorSystem<Void> node(int index) {
    return systems.get(index);
  }

  /** How many nodes were started. */
  int size() {
    return systems.size();
  }

  @Override
  public void close() {
    systems.forEach(ActorSystem::terminate);
    systems.forEach(system -> {
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, java.util.concurrent.TimeUnit.SECONDS);
      } catch (Exception e) {
        throw new IllegalStateException("node did not stop: " + system.address(), e);
      }
    });
  }
}
