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

  /**
   * Starts one more node whose Artery port the other nodes reach through {@code proxyPort}: the
   * node binds {@code bindPort}, a proxy listening on {@code proxyPort} forwards to it.
   */
  int joinBehindProxy(int proxyPort, int bindPort) {
    return cluster.join(ConfigFactory.parseString(String.format(
        "pekko.remote.artery.canonical.port = %d%n"
            + "pekko.remote.artery.bind.hostname = 127.0.0.1%n"
            + "pekko.remote.artery.bind.port = %d%n", proxyPort, bindPort)),
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
