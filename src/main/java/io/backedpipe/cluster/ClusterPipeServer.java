package io.backedpipe.cluster;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.server.ServerListener;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.transport.ServerConnections;
import io.backedpipe.transport.TlsContext;
import io.backedpipe.transport.TransportSettings;
import io.backedpipe.wire.FrameCodec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.sharding.typed.ClusterShardingSettings;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * A pipe server that is one node of a Pekko cluster: the pipes of all nodes are sharded entities
 * keyed by stream id ({@link PipeEntity}), so a client may reach any node, first time or on a
 * reconnect, and is attached to its pipe wherever it lives. A connection that reaches the node
 * hosting its pipe is handed over in that JVM; one that reaches another node stays there, and its
 * frames cross the cluster as stream refs over Artery.
 *
 * <pre>{@code
 * // every node: an actor system with the cluster provider (see ClusterNodeConfig), same secret
 * ClusterPipeServer server = ClusterPipeServer.bind(system, "0.0.0.0", 7000, (id, pipe) ->
 *     pipe.source().runWith(pipe.sink(), system))             // an echo service, on the pipe's node
 *     .toCompletableFuture().get();
 * }</pre>
 *
 * <p>{@code onNewPipe} runs on the node that hosts the pipe, which is usually not the node the
 * client reached. Limits ({@code max-pipes}, {@code max-total-buffer-bytes}, the creation rate per
 * address) count per node. A node that leaves the cluster (coordinated shutdown) first stops
 * accepting, then closes the pipes it hosts with a CLOSE the clients see as the peer closing,
 * each within {@code backed-pipe.cluster.leave-timeout}; a node that dies takes its pipes with it,
 * and their clients are answered {@code UNKNOWN_STREAM} once the cluster has removed it.
 *
 * <p>Thread-safe; its state lives in actors.
 */
public final class ClusterPipeServer {
  /** The entity type of the pipes: the same on every node. */
  public static final EntityTypeKey<PipeEntity.Command> ENTITY =
      EntityTypeKey.create(PipeEntity.Command.class, "backed-pipe");

  /** Room an Artery envelope needs beside a frame. */
  private static final int ENVELOPE_BYTES = 4096;

  private final ServerListener listener;
  private final ActorRef<ClusterRouter.Command> router;
  private final ActorRef<NodeQuota.Command> quota;
  private final ActorSystem<?> system;

  private ClusterPipeServer(ServerListener listener, ActorRef<ClusterRouter.Command> router,
      ActorRef<NodeQuota.Command> quota, ActorSystem<?> system) {
    this.listener = listener;
    this.router = router;
    this.quota = quota;
    this.system = system;
  }

  /**
   * Binds with the settings of the actor system's configuration.
   *
   * @param system a cluster actor system
   * @param host the interface to bind
   * @param port the port, 0 for any free one
   * @param onNewPipe told of every pipe this node comes to host
   * @return the bound server
   */
  public static CompletionStage<ClusterPipeServer> bind(ActorSystem<?> system, String host,
      int port, BiConsumer<UUID, BackedPipe> onNewPipe) {
    return bind(system, host, port, ServerSettings.create(system), PipeSettings.create(system),
        TransportSettings.create(system), Optional.empty(), onNewPipe);
  }

  /**
   * Binds.
   *
   * @param system a cluster actor system ({@code pekko.actor.provider = cluster})
   * @param host the interface to bind
   * @param port the port, 0 for any free one
   * @param settings the server's limits, counted per node
   * @param pipeSettings the settings of every pipe
   * @param transport the transport settings
   * @param tls TLS for every client connection, if present
   * @param onNewPipe told of every pipe this node comes to host
   * @return the bound server
   * @throws IllegalArgumentException when the actor system is not a cluster one, or a frame of
   *     {@code pipeSettings} would not fit an Artery message
   */
  public static CompletionStage<ClusterPipeServer> bind(ActorSystem<?> system, String host,
      int port, ServerSettings settings, PipeSettings pipeSettings, TransportSettings transport,
      Optional<TlsContext> tls, BiConsumer<UUID, BackedPipe> onNewPipe) {
    requireFit(system, pipeSettings);
    tls.ifPresent(TlsContext::requireKey);
    Duration leaveTimeout = system.settings().config().getDuration(
        "backed-pipe.cluster.leave-timeout");
    ActorRef<NodeQuota.Command> quota = system.systemActorOf(
        NodeQuota.create(settings, pipeSettings, System::nanoTime),
        "pipe-quota-" + UUID.randomUUID(), Props.empty());
    PipeEntity.Host entityHost = new PipeEntity.Host(settings, pipeSettings,
        transport.handshakeTimeout(), leaveTimeout, quota, onNewPipe);
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(ENTITY,
            context -> PipeEntity.create(UUID.fromString(context.getEntityId()),
                context.getShard(), entityHost))
        .withStopMessage(PipeEntity.HandOff.INSTANCE)
        .withSettings(shardingSettings(system, leaveTimeout)));
    ActorRef<ClusterRouter.Command> router = system.systemActorOf(ClusterRouter.create(
            new ClusterRouter.Node(id -> sharding.entityRefFor(ENTITY, id), transport.secret(),
                transport.handshakeTimeout(), settings.grace(), pipeSettings.linkLimits())),
        "pipe-router-" + UUID.randomUUID(), Props.empty());
    ServerConnections.Router routes = (challenge, hello, connection, welcome, client) ->
        router.tell(new ClusterRouter.Route(challenge.nonce(), hello, connection, welcome,
            client));
    return ServerListener.bind(system, host, port, settings, transport, tls, routes)
        .whenComplete((listener, error) -> {
          if (error != null) {
            router.tell(ClusterRouter.Stop.INSTANCE);
          }
        })
        .thenApply(listener -> {
          ClusterPipeServer server = new ClusterPipeServer(listener, router, quota, system);
          // A leaving node stops accepting before sharding hands its shards off: the entities
          // then close their pipes (PipeEntity.HandOff).
          CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceUnbind(),
              "backed-pipe-unbind-" + listener.address().getPort(), server::unbind);
          return server;
        });
  }

  /**
   * The sharding of pipes: no automatic passivation (an entity stops when its pipe is gone) and
   * no rebalancing (a pipe cannot move; a moved shard would lose its streams).
   */
  private static ClusterShardingSettings shardingSettings(ActorSystem<?> system,
      Duration leaveTimeout) {
    ClusterShardingSettings defaults = ClusterShardingSettings.create(system);
    return defaults.withNoPassivationStrategy()
        .withTuningParameters(defaults.tuningParameters()
            // The absolute limit 0 selects the allocation that the threshold governs, whatever
            // the application configures for its other entities.
            .withLeastShardAllocationAbsoluteLimit(0)
            .withLeastShardAllocationRebalanceThreshold(Integer.MAX_VALUE)
            .withHandOffTimeout(leaveTimeout.plus(Duration.ofSeconds(10))));
  }

  /** A frame must fit one Artery message, or Artery drops it and the connection stalls. */
  private static void requireFit(ActorSystem<?> system, PipeSettings pipeSettings) {
    var config = system.settings().config();
    if (!"cluster".equals(config.getString("pekko.actor.provider"))) {
      throw new IllegalArgumentException("ClusterPipeServer needs an actor system with"
          + " pekko.actor.provider = cluster (see ClusterNodeConfig); it has ["
          + config.getString("pekko.actor.provider") + "]");
    }
    long artery = config.getBytes("pekko.remote.artery.advanced.maximum-frame-size");
    long frame = FrameCodec.maxFrameBytes(pipeSettings.maxFrameBytes());
    if (frame + ENVELOPE_BYTES > artery) {
      throw new IllegalArgumentException("backed-pipe.max-frame-bytes="
          + pipeSettings.maxFrameBytes() + " does not fit an Artery message:"
          + " pekko.remote.artery.advanced.maximum-frame-size=" + artery + " must be at least "
          + (frame + ENVELOPE_BYTES));
    }
  }

  /**
   * The address this node listens on for clients.
   *
   * @return the bound address
   */
  public InetSocketAddress address() {
    return listener.address();
  }

  /**
   * How many pipes this node hosts.
   *
   * @param timeout how long to wait for the answer
   * @return the count
   */
  public CompletionStage<Integer> hostedPipes(Duration timeout) {
    return AskPattern.ask(quota, NodeQuota.Count::new, timeout, system.scheduler());
  }

  /**
   * Stops accepting clients on this node. Pipes this node hosts stay, reachable through the other
   * nodes, until the node leaves the cluster (coordinated shutdown calls this first, then sharding
   * hands the shards off and their pipes close).
   *
   * @return completes when unbound
   */
  public CompletionStage<Done> unbind() {
    router.tell(ClusterRouter.Stop.INSTANCE);
    return listener.unbind().exceptionally(error -> Done.getInstance());
  }
}
