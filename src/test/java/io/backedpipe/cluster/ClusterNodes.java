package io.backedpipe.cluster;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Three (or any number of) cluster nodes in this JVM for a test, with quick failure detection and
 * downing, so that a killed node is removed within seconds.
 */
final class ClusterNodes implements AutoCloseable {
  private static final String FAST = """
      pekko.cluster.split-brain-resolver.stable-after = 1s
      pekko.cluster.failure-detector.acceptable-heartbeat-pause = 2s
      pekko.cluster.failure-detector.heartbeat-interval = 500ms
      """;

  private final LocalCluster cluster;

  /**
   * Starts {@code count} nodes and waits until all are up.
   *
   * @param count how many
   * @param extra configuration for every node, in front of the quick failure handling
   */
  ClusterNodes(int count, String extra) {
    cluster = LocalCluster.start(count,
        ConfigFactory.parseString(extra).withFallback(ConfigFactory.parseString(FAST)),
        Duration.ofSeconds(30));
  }

  ActorSystem<Void> node(int index) {
    return cluster.node(index);
  }

  int size() {
    return cluster.size();
  }

  @Override
  public void close() {
    cluster.close();
  }
}
