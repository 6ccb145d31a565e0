package io.backedpipe.tunnel;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.cluster.ClusterPipeServer;
import io.backedpipe.server.PipeServer;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.transport.TlsContext;
import io.backedpipe.transport.TlsSettings;
import io.backedpipe.transport.TransportSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;

/**
 * The server end of a tunnel ({@code backed-pipe serve}): a {@link PipeServer} whose every pipe
 * is one {@code connect}'s tunnel connection ({@link TunnelSession}). Each stream the client opens
 * over it gets one new TCP connection to the target, and bytes flow both ways. The target's EOF
 * becomes the stream's EOF at the client; the client's EOF half-closes the target connection's
 * write side; a target that cannot be reached or that resets resets the stream with a
 * {@link TunnelCloseCode} and the reason, which the client logs before it resets its local
 * connection.
 *
 * <pre>{@code
 * ServeTunnel tunnel = ServeTunnel.start(system, new InetSocketAddress("0.0.0.0", 7000),
 *     new InetSocketAddress("127.0.0.1", 22), Optional.empty()).toCompletableFuture().get();
 * }</pre>
 *
 * <p>In cluster mode ({@link #startClustered}) it binds a {@link ClusterPipeServer} instead: a
 * client may reach any node, and the target is dialed from the node that hosts the stream's pipe,
 * so every node must be given the same target.
 *
 * <p>Thread-safe; its state lives in actors.
 */
public final class ServeTunnel {
  private final ActorSystem<?> system;
  private final InetSocketAddress address;
  private final Supplier<CompletionStage<Done>> unbind;
  private final Optional<ClusterPipeServer> cluster;
  private final ActorRef<TunnelStreams.Command> streams;

  private ServeTunnel(ActorSystem<?> system, InetSocketAddress address,
      Supplier<CompletionStage<Done>> unbind, Optional<ClusterPipeServer> cluster,
      ActorRef<TunnelStreams.Command> streams) {
    this.system = system;
    this.address = address;
    this.unbind = unbind;
    this.cluster = cluster;
    this.streams = streams;
  }

  /**
   * Binds with the settings of the actor system's configuration, over TLS when
   * {@code backed-pipe.transport.tls.enabled} is on (the key store is read now).
   *
   * @param system the actor system
   * @param listen where clients connect
   * @param target where each stream's bytes go
   * @param listener told of every pipe event of every stream, if present
   * @return the bound tunnel
   * @throws IllegalArgumentException when the TLS settings or stores are wrong
   */
  public static CompletionStage<ServeTunnel> start(ActorSystem<?> system,
      InetSocketAddress listen, InetSocketAddress target,
      Optional<ActorRef<TunnelEvent>> listener) {
    TransportSettings transport = TransportSettings.create(system);
    TlsSettings tls = TlsSettings.create(system);
    ActorRef<TunnelStreams.Command> streams = spawnStreams(system);
    BiConsumer<UUID, BackedPipe> relay = relay(system, streams, target, transport, listener);
    String host = listen.getHostString();
    return (tls.enabled()
            ? PipeServer.bind(system, host, listen.getPort(), ServerSettings.create(system),
                PipeSettings.create(system), transport, TlsContext.load(tls), relay)
            : PipeServer.bind(system, host, listen.getPort(), ServerSettings.create(system),
                PipeSettings.create(system), transport, relay))
        .thenApply(server -> new ServeTunnel(system, server.address(), server::unbind,
            Optional.empty(), streams));
  }

  /**
   * Binds one node of a clustered tunnel ({@link ClusterPipeServer}) with the settings of the
   * actor system's configuration, over TLS when {@code backed-pipe.transport.tls.enabled} is on.
   * Each stream's target is dialed on the node that hosts its pipe, which is usually not the node
   * the client reached: give every node the same target.
   *
   * <pre>{@code
   * // an actor system made with ClusterNodeConfig.of(...), named ClusterNodeConfig.SYSTEM_NAME
   * ServeTunnel node = ServeTunnel.startClustered(system, new InetSocketAddress("0.0.0.0", 7000),
   *     new InetSocketAddress("127.0.0.1", 22), Optional.empty()).toCompletableFuture().get();
   * }</pre>
   *
   * @param system a cluster actor system ({@code pekko.actor.provider = cluster})
   * @param listen where clients connect to this node
   * @param target where the bytes of each stream this node hosts go
   * @param listener told of every pipe event of every stream this node hosts, if present
   * @return the bound tunnel node
   * @throws IllegalArgumentException when the actor system is not a cluster one, or the TLS
   *     settings or stores are wrong
   */
  public static CompletionStage<ServeTunnel> startClustered(ActorSystem<?> system,
      InetSocketAddress listen, InetSocketAddress target,
      Optional<ActorRef<TunnelEvent>> listener) {
    TransportSettings transport = TransportSettings.create(system);
    TlsSettings tls = TlsSettings.create(system);
    Optional<TlsContext> context = tls.enabled() ? Optional.of(TlsContext.load(tls))
        : Optional.empty();
    ActorRef<TunnelStreams.Command> streams = spawnStreams(system);
    return ClusterPipeServer.bind(system, listen.getHostString(), listen.getPort(),
            ServerSettings.create(system), PipeSettings.create(system), transport, context,
            relay(system, streams, target, transport, listener))
        .thenApply(server -> new ServeTunnel(system, server.address(), server::unbind,
            Optional.of(server), streams));
  }

  private static ActorRef<TunnelStreams.Command> spawnStreams(ActorSystem<?> system) {
    return system.systemActorOf(TunnelStreams.create(), "tunnel-serve-" + UUID.randomUUID(),
        Props.empty());
  }

  /** Every new pipe gets its session, a child of {@code streams}. */
  private static BiConsumer<UUID, BackedPipe> relay(ActorSystem<?> system,
      ActorRef<TunnelStreams.Command> streams,
      InetSocketAddress target, TransportSettings transport,
      Optional<ActorRef<TunnelEvent>> listener) {
    TunnelSettings settings = TunnelSettings.create(system);
    return (id, pipe) -> streams.tell(new TunnelStreams.Spawn(
        TunnelSession.serving(id, pipe, target, transport, settings, listener),
        // a stream id may come back while its previous session still stops: unique names
        "session-" + id + "-" + UUID.randomUUID()));
  }

  /**
   * Where clients connect.
   *
   * @return the bound address
   */
  public InetSocketAddress address() {
    return address;
  }

  /**
   * The cluster pipe server of a clustered tunnel ({@link #startClustered}), for its counts.
   *
   * @return the server, empty when the tunnel is not clustered
   */
  public Optional<ClusterPipeServer> clusterServer() {
    return cluster;
  }

  /**
   * Stops accepting clients and closes every stream. A clustered tunnel only stops accepting on
   * this node: the streams this node hosts stay, reachable through the other nodes, until it
   * leaves the cluster ({@link ClusterPipeServer#unbind}); {@link #shutdown} closes them.
   *
   * @return completes when unbound
   */
  public CompletionStage<Done> stop() {
    return unbind.get();
  }

  /**
   * Shuts the tunnel down gracefully, as a process that is asked to stop should: gives every open
   * stream up to {@code drain} for its client to acknowledge the bytes it was sent, closes each
   * with a {@code CLOSE} ({@link TunnelCloseCode#TUNNEL_STOPPED}), so that the client closes its
   * local connection at once instead of retrying for the grace period, then stops accepting
   * clients and closes whatever is left (on a clustered tunnel: stops accepting on this node; the
   * streams this node hosts are the ones closed, and a stream opened meanwhile is closed when the
   * node leaves the cluster). The log says {@code shutting down: closing N streams} and
   * how it went.
   *
   * @param drain how long a stream may wait for acknowledgements
   * @return completes with the number of streams closed, once unbound
   */
  public CompletionStage<Integer> shutdown(Duration drain) {
    return AskPattern.<TunnelStreams.Command, Integer>ask(streams,
            replyTo -> new TunnelStreams.Shutdown(drain, "serve is shutting down", replyTo),
            drain.plus(TunnelStreams.CLOSE_TIME).plusSeconds(1), system.scheduler())
        .handle((closed, error) -> closed != null ? closed : 0)
        .thenCompose(closed -> unbind.get().handle((unbound, error) -> closed));
  }
}
