package io.backedpipe.cli;

import com.typesafe.config.Config;
import io.backedpipe.cluster.ClusterNodeConfig;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.stream.Collectors;
import picocli.CommandLine.Option;

/**
 * The options of {@code serve}'s cluster mode: any of them makes this server one node of a pipe
 * cluster ({@link io.backedpipe.cluster.ClusterPipeServer}), where a client may reach any node and
 * is attached to its stream wherever it lives. Without them, {@code serve} is a single server.
 */
final class ClusterOptions {
  @Option(names = "--cluster-port", paramLabel = "N",
      description = "Run as a node of a serve cluster: this node's cluster (Artery) port. Needs "
          + "--seed. Every node needs the same --target and secret.")
  Integer port;

  @Option(names = "--cluster-host", paramLabel = "HOST",
      description = "The address other nodes reach this one at (default: the --listen host, or "
          + "127.0.0.1 when that is a wildcard).")
  String host;

  @Option(names = "--seed", paramLabel = "HOST:PORT", converter = HostPort.Converter.class,
      description = "A seed node's cluster address (repeatable; this node may be one). Every "
          + "node should be given the same seeds.")
  List<HostPort> seeds = new ArrayList<>();

  /**
   * This node's place in the cluster, if any cluster option was given.
   *
   * @param listen where the server listens, whose host is the default cluster host
   * @return the node, empty for a single server
   * @throws IllegalArgumentException when the options do not make a node: a port without a seed
   *     or a seed without a port, a port out of range, a seed on port 0
   */
  Optional<Node> node(HostPort listen) {
    if (port == null && host == null && seeds.isEmpty()) {
      return Optional.empty();
    }
    if (port == null) {
      throw new IllegalArgumentException("cluster mode needs --cluster-port N (this node's"
          + " cluster port) with --seed HOST:PORT");
    }
    if (seeds.isEmpty()) {
      throw new IllegalArgumentException("cluster mode needs at least one --seed HOST:PORT"
          + " (a seed node's cluster address; this node may be one)");
    }
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException("--cluster-port " + port + " must be in 0..65535");
    }
    for (HostPort seed : seeds) {
      if (seed.port() == 0) {
        throw new IllegalArgumentException("--seed " + seed + ": a seed's port must not be 0");
      }
    }
    if (host != null && host.isBlank()) {
      throw new IllegalArgumentException("--cluster-host must not be empty");
    }
    String self = host != null ? host : isWildcard(listen.host()) ? "127.0.0.1" : listen.host();
    return Optional.of(new Node(self, port, List.copyOf(seeds)));
  }

  /**
   * Whether a listen host is the wildcard, which no other node can dial.
   *
   * @param host the host of {@code --listen}; a name is not looked up
   * @return true for {@code 0.0.0.0}, {@code ::} and the like
   */
  static boolean isWildcard(String host) {
    if (host.isEmpty() || host.equals("*")) {
      return true;
    }
    if (!host.matches("[0-9.]+|[0-9a-fA-F:]*:[0-9a-fA-F:.]*")) {
      return false; // a name: not looked up here
    }
    try {
      return InetAddress.getByName(host).isAnyLocalAddress();
    } catch (UnknownHostException e) {
      return false;
    }
  }

  /**
   * One node of a serve cluster.
   *
   * @param host the address other nodes reach it at
   * @param port its cluster port, 0 for any free one
   * @param seeds the seed nodes' cluster addresses
   */
  record Node(String host, int port, List<HostPort> seeds) {
    /**
     * The Pekko configuration that makes the tool's actor system this node.
     *
     * @return the configuration, to go under the file's and {@code --set}'s
     */
    Config config() {
      return ClusterNodeConfig.of(host, port,
          seeds.stream().map(HostPort::toString).toList());
    }

    /**
     * The seeds as the banner names them.
     *
     * @return {@code host:port, host:port}
     */
    String seedText() {
      return seeds.stream().map(HostPort::toString).collect(Collectors.joining(", "));
    }
  }
}
