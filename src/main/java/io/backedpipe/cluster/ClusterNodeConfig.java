package io.backedpipe.cluster;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.util.List;

/**
 * The Pekko configuration that makes an actor system one node of a pipe cluster: the cluster
 * provider, this node's Artery address, the seed nodes, a split-brain resolver (so that a dead
 * node is removed and its streams answered {@code UNKNOWN_STREAM} instead of waiting forever) and
 * Artery messages large enough for a frame.
 *
 * <pre>{@code
 * Config node = ClusterNodeConfig.of("10.0.0.5", 25520,
 *     List.of("10.0.0.5:25520", "10.0.0.6:25520")).withFallback(ConfigFactory.load());
 * ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), ClusterNodeConfig.SYSTEM_NAME,
 *     node);
 * }</pre>
 *
 * <p>Every node must use the same actor system name ({@link #SYSTEM_NAME} unless the seeds say
 * otherwise). Cluster traffic carries the streams' bytes: run it on a private network, or turn on
 * Artery's TLS transport.
 */
public final class ClusterNodeConfig {
  /** The actor system name the seed addresses assume. */
  public static final String SYSTEM_NAME = "backed-pipe";
  /** Artery's largest message: a 256 KiB frame (the default) and its envelope fit. */
  public static final String MAXIMUM_FRAME_SIZE = "512KiB";

  private ClusterNodeConfig() {}

  /**
   * The configuration of one node.
   *
   * @param hostname the address other nodes reach this one at (Artery's canonical hostname)
   * @param port this node's cluster port, 0 for any free one (not for a seed)
   * @param seeds the seed nodes as {@code host:port}; this node may be one of them
   * @return the configuration, to put in front of the application's
   */
  public static Config of(String hostname, int port, List<String> seeds) {
    List<String> addresses = seeds.stream()
        .map(seed -> "pekko://" + SYSTEM_NAME + "@" + seed)
        .toList();
    return ConfigFactory.parseString("""
            pekko.actor.provider = cluster
            pekko.remote.artery.advanced.maximum-frame-size = %s
            pekko.cluster.downing-provider-class =
              "org.apache.pekko.cluster.sbr.SplitBrainResolverProvider"
            """.formatted(MAXIMUM_FRAME_SIZE))
        .withValue("pekko.remote.artery.canonical.hostname",
            ConfigValueFactory.fromAnyRef(hostname))
        .withValue("pekko.remote.artery.canonical.port", ConfigValueFactory.fromAnyRef(port))
        .withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(addresses));
  }
}
