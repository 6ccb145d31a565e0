package io.backedpipe.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.backedpipe.cluster.ClusterNodeConfig;
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
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * The server side of {@code demo --nodes N}: N cluster actor systems in this process on loopback,
 * each a node of a clustered {@code serve} ({@link ServeTunnel#startClustered}) relaying to the
 * same target. The first node is the seed: it starts on any free Artery port and joins itself;
 * the others are given its actual address. The demo's proxy spreads new links over the nodes.
 *
 * <p>Not thread-safe; owned by the demo's thread, which also asks the nodes' actors.
 */
final class DemoCluster implements TunnelDemo.Servers {
  /** How long the nodes may take to start and all be {@code Up}. */
  static final Duration FORMING_LIMIT = Duration.ofSeconds(60);
  private static final Duration ASK = Duration.ofSeconds(5);

  private final List<Node> nodes;
  /** The most pipes each node was seen hosting at once, by {@link #sample}. */
  private final int[] mostPipes;

  /** One node: its actor system, its tunnel, the tally of its streams' events. */
  private record Node(ActorSystem<Void> system, ServeTunnel serve,
      ActorRef<EventTally.Command> tally) {}

  private DemoCluster(List<Node> nodes) {
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
    Config base = ConfigFactory.parseString("""
            pekko.cluster.jmx.multi-mbeans-in-same-jvm = on
            pekko.remote.artery.canonical.hostname = 127.0.0.1
            """).withFallback(config);
    List<ActorSystem<Void>> systems = new ArrayList<>();
    try {
      ActorSystem<Void> seed = node(ClusterNodeConfig.of("127.0.0.1", 0, List.of()), base);
      systems.add(seed);
      Address seedAddress = Cluster.get(seed).selfMember().address();
      Cluster.get(seed).manager().tell(Join.create(seedAddress));
      String seedText = seedAddress.host().get() + ":" + seedAddress.port().get();
      for (int i = 1; i < nodeCount; i++) {
        systems.add(node(ClusterNodeConfig.of("127.0.0.1", 0, List.of(seedText)), base));
      }
      if (!Polling.until(() -> systems.stream().allMatch(s -> upMembers(s) == nodeCount),
          FORMING_LIMIT)) {
        throw new IllegalStateException("the " + nodeCount + " cluster nodes were not all Up"
            + " within " + FORMING_LIMIT.toSeconds() + "s");
      }
      List<Node> nodes = new ArrayList<>();
      for (ActorSystem<Void> system : systems) {
        ActorRef<EventTally.Command> tally = system.systemActorOf(EventTally.create(),
            "demo-tally-serve-" + UUID.randomUUID(), Props.empty());
        ActorRef<TunnelEvent> listener = system.systemActorOf(
            EventTally.adapter(tally), "demo-events-" + UUID.randomUUID(), Props.empty());
        ServeTunnel serve = get(ServeTunnel.startClustered(system,
            new InetSocketAddress("127.0.0.1", 0), target, Optional.of(listener)));
        nodes.add(new Node(system, serve, tally));
      }
      return new DemoCluster(nodes);
    } catch (Exception e) {
      terminate(systems);
      throw e;
    }
  }

  private static ActorSystem<Void> node(Config node, Config base) {
    return ActorSystem.create(Behaviors.empty(), ClusterNodeConfig.SYSTEM_NAME,
        node.withFallback(base));
  }

  private static long upMembers(ActorSystem<?> system) {
    return StreamSupport.stream(Cluster.get(system).state().getMembers().spliterator(), false)
        .filter(member -> member.status() == MemberStatus.up())
        .count();
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
    terminate(nodes.stream().map(Node::system).toList());
  }

  /**
   * Stops the nodes one after the other, the last to join first, each leaving the cluster while
   * the others are still there to see it go (nodes that leave all at once wait out
   * {@code cluster-exiting}'s timeout); each wait is bounded.
   */
  private static void terminate(List<ActorSystem<Void>> systems) {
    for (int i = systems.size() - 1; i >= 0; i--) {
      ActorSystem<Void> system = systems.get(i);
      system.terminate();
      try {
        system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
      } catch (Exception e) {
        // a node that does not stop in time is left to the JVM's exit
      }
    }
  }

  private static <T> T get(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(30, TimeUnit.SECONDS);
  }
}
