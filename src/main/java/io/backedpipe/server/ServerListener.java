package io.backedpipe.server;

import io.backedpipe.transport.ServerConnections;
import io.backedpipe.transport.TlsClientAuth;
import io.backedpipe.transport.TlsContext;
import io.backedpipe.transport.TransportSettings;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;

/**
 * A bound TCP port whose every accepted connection runs the server's side of the handshake (at
 * most {@code max-handshakes} at once: {@link HandshakeAdmission}) and whose every HELLO goes to a
 * {@link ServerConnections.Router}: the {@link PipeRegistry} of a {@link PipeServer}, or a cluster
 * node's router. What both kinds of server share.
 */
public final class ServerListener {
  private final Tcp.ServerBinding binding;
  private final ActorRef<HandshakeAdmission.Command> admission;

  private ServerListener(Tcp.ServerBinding binding,
      ActorRef<HandshakeAdmission.Command> admission) {
    this.binding = binding;
    this.admission = admission;
  }

  /**
   * Binds and starts accepting.
   *
   * @param system the actor system
   * @param host the interface to bind
   * @param port the port, 0 for any free one
   * @param settings the server's limits
   * @param transport the transport settings (the grace period is taken from {@code settings})
   * @param tls TLS for every connection, if present
   * @param router told of every HELLO
   * @return the listener once bound; failed when the port cannot be bound
   * @throws IllegalArgumentException when {@code tls} holds no key
   */
  public static CompletionStage<ServerListener> bind(ActorSystem<?> system, String host, int port,
      ServerSettings settings, TransportSettings transport, Optional<TlsContext> tls,
      ServerConnections.Router router) {
    tls.ifPresent(TlsContext::requireKey);
    TransportSettings graced = transport.withGrace(settings.grace());
    ServerConnections connections = tls.isPresent()
        ? new ServerConnections(system, graced, tls.get(), router)
        : new ServerConnections(system, graced, router);
    boolean authenticates = transport.secret().isPresent()
        || tls.map(t -> t.settings().clientAuth() == TlsClientAuth.NEED).orElse(false);
    if (!authenticates && !ListenExposure.isLoopbackOnly(host)) {
      system.log().warn("pipe server on {}:{} has no shared secret and no TLS client"
          + " certificates: anyone who reaches the port can open streams (see"
          + " backed-pipe.transport.auth)", host, port);
    } else if (!authenticates) {
      // only local processes can reach it; tests bind loopback all the time
      system.log().debug("pipe server on {}:{} has no shared secret (loopback only)", host, port);
    }
    ActorRef<HandshakeAdmission.Command> admission = system.systemActorOf(
        HandshakeAdmission.create(settings, connections::handle),
        "handshake-admission-" + UUID.randomUUID(), Props.empty());
    return Tcp.get(system).bind(host, port, settings.acceptBacklog(), transport.socketOptions(),
            true, Optional.empty())
        .to(Sink.foreach(incoming -> admission.tell(new HandshakeAdmission.Admit(incoming))))
        .run(system)
        .whenComplete((binding, error) -> {
          if (error != null) {
            admission.tell(HandshakeAdmission.Stop.INSTANCE); // nothing will ever use it
          }
        })
        .thenApply(binding -> new ServerListener(binding, admission));
  }

  /**
   * The address the server listens on.
   *
   * @return the bound address
   */
  public InetSocketAddress address() {
    return binding.localAddress();
  }

  /**
   * Stops accepting connections; connections already handed to the router are not touched.
   *
   * @return completes when unbound
   */
  public CompletionStage<Done> unbind() {
    return binding.unbind().handle((unbound, error) -> {
      admission.tell(HandshakeAdmission.Stop.INSTANCE);
      if (error != null) {
        throw new CompletionException(error);
      }
      return Done.getInstance();
    });
  }
}
