package io.backedpipe.server;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.transport.ServerConnections;
import io.backedpipe.transport.TlsContext;
import io.backedpipe.transport.TransportSettings;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.function.BiConsumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/**
 * One TCP port that hosts many pipes. Every accepted connection runs the server's side of the
 * handshake (at most {@code max-handshakes} at once, {@code max-handshakes-per-address} from one
 * address: {@link HandshakeAdmission}); its {@code HELLO} is routed by the {@link PipeRegistry} to the pipe of its stream id.
 *
 * <pre>{@code
 * PipeServer server = PipeServer.bind(system, "0.0.0.0", 7000, (id, pipe) ->
 *     pipe.source().runWith(pipe.sink(), system))             // an echo service
 *     .toCompletableFuture().get();
 * server.address();                                           // the bound address (port 0 works)
 * server.unbind();
 * }</pre>
 *
 * <p>Thread-safe; its state lives in the registry actor and the binding. For pipes that a cluster
 * of servers shares, see {@code io.backedpipe.cluster.ClusterPipeServer}.
 */
public final class PipeServer {
  private final ServerListener listener;
  private final ActorRef<PipeRegistry.Command> registry;

  private PipeServer(ServerListener listener, ActorRef<PipeRegistry.Command> registry) {
    this.listener = listener;
    this.registry = registry;
  }

  /**
   * Binds with the settings of the actor system's configuration.
   *
   * @param system the actor system
   * @param host the interface to bind
   * @param port the port, 0 for any free one
   * @param onNewPipe told of every pipe a client creates
   * @return the bound server
   */
  public static CompletionStage<PipeServer> bind(ActorSystem<?> system, String host, int port,
      BiConsumer<UUID, BackedPipe> onNewPipe) {
    return bind(system, host, port, ServerSettings.create(system), PipeSettings.create(system),
        TransportSettings.create(system), onNewPipe);
  }

  /**
   * Binds.
   *
   * @param system the actor system
   * @param host the interface to bind
   * @param port the port, 0 for any free one
   * @param settings the server's limits
   * @param pipeSettings the settings of every pipe
   * @param transport the transport settings
   * @param onNewPipe told of every pipe a client creates
   * @return the bound server
   */
  public static CompletionStage<PipeServer> bind(ActorSystem<?> system, String host, int port,
      ServerSettings settings, PipeSettings pipeSettings, TransportSettings transport,
      BiConsumer<UUID, BackedPipe> onNewPipe) {
    return bind(system, host, port, settings, pipeSettings, transport, Optional.empty(),
        onNewPipe);
  }

  /**
   * Binds, running every connection over TLS.
   *
   * @param system the actor system
   * @param host the interface to bind
   * @param port the port, 0 for any free one
   * @param settings the server's limits
   * @param pipeSettings the settings of every pipe
   * @param transport the transport settings
   * @param tls the server's key and, for client certificates, trust store; {@code client-auth}
   *     says whether clients must present one
   * @param onNewPipe told of every pipe a client creates
   * @return the bound server
   * @throws IllegalArgumentException when {@code tls} holds no key
   */
  public static CompletionStage<PipeServer> bind(ActorSystem<?> system, String host, int port,
      ServerSettings settings, PipeSettings pipeSettings, TransportSettings transport,
      TlsContext tls, BiConsumer<UUID, BackedPipe> onNewPipe) {
    return bind(system, host, port, settings, pipeSettings, transport, Optional.of(tls),
        onNewPipe);
  }

  private static CompletionStage<PipeServer> bind(ActorSystem<?> system, String host, int port,
      ServerSettings settings, PipeSettings pipeSettings, TransportSettings transport,
      Optional<TlsContext> tls, BiConsumer<UUID, BackedPipe> onNewPipe) {
    tls.ifPresent(TlsContext::requireKey); // before the registry exists, so nothing is left behind
    ActorRef<PipeRegistry.Command> registry = system.systemActorOf(
        PipeRegistry.create(settings, pipeSettings, transport.handshakeTimeout(),
            transport.secret(), onNewPipe),
        "pipe-registry-" + UUID.randomUUID(), Props.empty());
    ServerConnections.Router router = (challenge, hello, connection, welcome, remote) ->
        registry.tell(new PipeRegistry.Route(challenge.nonce(), hello, connection, welcome,
            remote));
    return ServerListener.bind(system, host, port, settings, transport, tls, router)
        .whenComplete((listener, error) -> {
          if (error != null) {
            registry.tell(PipeRegistry.Shutdown.INSTANCE); // nothing will ever use it
          }
        })
        .thenApply(listener -> new PipeServer(listener, registry));
  }

  /**
   * The address the server listens on.
   *
   * @return the bound address
   */
  public InetSocketAddress address() {
    return listener.address();
  }

  /**
   * The registry of hosted pipes.
   *
   * @return the registry actor
   */
  public ActorRef<PipeRegistry.Command> registry() {
    return registry;
  }

  /**
   * Stops accepting connections and closes every hosted pipe.
   *
   * @return completes when unbound
   */
  public CompletionStage<Done> unbind() {
    return listener.unbind().whenComplete((unbound, error) ->
        registry.tell(PipeRegistry.Shutdown.INSTANCE)); // whether or not the unbind went well
  }
}
