package io.backedpipe.cli;

import com.typesafe.config.Config;
import io.backedpipe.cluster.LocalCluster;
import io.backedpipe.tunnel.ServeTunnel;
import io.backedpipe.tunnel.TunnelEvent;
import io.backedpipe.wire.HumanText;
import java.io.PrintWriter;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.typed.Cluster;

/**
 * The server side of {@code demo --nodes N}: N cluster actor systems in this process on loopback
 * ({@link LocalCluster}), each a node of a clustered {@code serve}
 * ({@link ServeTunnel#startClustered}) relaying to the same target. The demo's proxy spreads new
 * links over the nodes.
 *
 * <p>Not thread-safe; owned by the demo's thread, which also asks the nodes' actors.
 */
final class DemoCluster implements TunnelDemo.Servers {
  /** How long the nodes may take to start and all be {@code Up}. */
  static final Duration FORMING_LIMIT = Duration.ofSeconds(60);
  private static final Duration ASK = Duration.ofSeconds(5);

  private final LocalCluster cluster;
  private final List<Node> nodes;
  /** The most pipes each node was seen hosting at once, by {@link #sample}. */
  private final int[] mostPipes;

  /** One node: its actor system, its tunnel, the tally of its streams' events. */
  private record Node(ActorSystem<Void> system, ServeTunnel serve,
      ActorRef<EventTally.Command> tally) {}

  private DemoCluster(LocalCluster cluster, List<Node> nodes) {
    this.cluster = cluster;
    this.nodes = nodes;
    this.mostPipes = new int[nodes.size()];
  }

  /**
   * Starts the nodes, waits until every one is {@code Up}, and binds a tunnel on each.
   *
   * @param nodeCount how many nodes, at least 2
   * @param config the demo's configuration, under each node's cluster settings
   * @param target where every node relays its streams
   * @return the running cluster
   * @throws Exception if a node cannot start or the cluster does not form in time; the nodes
   *     started so far are stopped
   */
  static DemoCluster start(int nodeCount, Config config, InetSocketAddress target)
      throws Exception {
    LocalCluster cluster = LocalCluster.start(nodeCount, config, FORMING_LIMIT);
    try {
      List<Node> nodes = new ArrayList<>();
      for (int i = 0; i < cluster.size(); i++) {
        ActorSystem<Void> system = cluster.node(i);
        ActorRef<EventTally.Command> tally = system.systemActorOf(EventTally.create(),
            "demo-tally-serve-" + UUID.randomUUID(), Props.empty());
        ActorRef<TunnelEvent> listener = system.systemActorOf(
            EventTally.adapter(tally), "demo-events-" + UUID.randomUUID(), Props.empty());
        ServeTunnel serve = get(ServeTunnel.startClustered(system,
            new InetSocketAddress("127.0.0.1", 0), target, Optional.of(listener)));
        nodes.add(new Node(system, serve, tally));
      }
      return new DemoCluster(cluster, nodes);
    } catch (Exception e) {
      cluster.close();
      throw e;
    }
  }

  /**
   * The nodes' cluster addresses, for the demo's heading.
   *
   * @return {@code pekko://backed-pipe@127.0.0.1:port}, one per node
   */
  List<String> clusterAddresses() {
    return nodes.stream()
        .map(n -> Cluster.get(n.system()).selfMember().address().toString()).toList();
  }

  @Override
  public List<InetSocketAddress> addresses() {
    return nodes.stream().map(n -> n.serve().address()).toList();
  }

  @Override
  public CompletionStage<EventTally.Counts> counts() {
    CompletionStage<EventTally.Counts> sum = CompletableFuture.completedFuture(
        new EventTally.Counts(0, 0, 0, 0));
    for (Node node : nodes) {
      sum = sum.thenCombine(AskPattern.<EventTally.Command, EventTally.Counts>ask(node.tally(),
          EventTally.Get::new, ASK, node.system().scheduler()), DemoCluster::add);
    }
    return sum;
  }

  private static EventTally.Counts add(EventTally.Counts a, EventTally.Counts b) {
    return new EventTally.Counts(a.resumed() + b.resumed(),
        a.replayedBytes() + b.replayedBytes(), a.linksLost() + b.linksLost(),
        a.closedEarly() + b.closedEarly());
  }

  @Override
  public void sample() throws Exception {
    for (int i = 0; i < nodes.size(); i++) {
      mostPipes[i] = Math.max(mostPipes[i], hostedPipes(nodes.get(i)));
    }
  }

  private static int hostedPipes(Node node) throws Exception {
    return get(node.serve().clusterServer().orElseThrow().hostedPipes(ASK));
  }

  @Override
  public void report(PrintWriter out, Map<InetSocketAddress, Long> linksPerTarget)
      throws Exception {
    for (int i = 0; i < nodes.size(); i++) {
      Node node = nodes.get(i);
      int now = hostedPipes(node);
      mostPipes[i] = Math.max(mostPipes[i], now);
      out.printf(Locale.ROOT, "  node %d           %s, serve %s: %d links landed, pipes hosted"
              + " %d at most (%d now)%n", i + 1,
          Cluster.get(node.system()).selfMember().address(),
          HumanText.address(node.serve().address()),
          linksPerTarget.getOrDefault(node.serve().address(), 0L), mostPipes[i], now);
    }
    out.flush();
  }

  @Override
  public void stop() {
    nodes.forEach(n -> n.serve().stop());
    cluster.close();
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
