package io.backedpipe.tunnel;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TlsContext;
import io.backedpipe.transport.TlsSettings;
import io.backedpipe.transport.TransportSettings;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;

/**
 * The client end of a tunnel ({@code backed-pipe connect}), a local port forward. It keeps one
 * pipe to a {@link ServeTunnel} (dialed as soon as it starts) and carries every TCP connection
 * accepted on the local port as a stream of its own over that pipe ({@link TunnelSession}): a new
 * connection costs one frame, and the server dials the target for it. EOF and half-close carry
 * both ways; a local connection that fails (a reset) resets its stream, and the server resets the
 * target's connection. While the link to the server is down the local applications notice
 * nothing: their bytes wait in the pipe's window and flow again once the pipe resumes, after one
 * reconnect for all of them. If the pipe closes for good (the server forgot it, or the reconnect
 * policy gave up), its local connections are reset and the next one starts a new pipe.
 *
 * <pre>{@code
 * ConnectTunnel tunnel = ConnectTunnel.start(system, new InetSocketAddress("127.0.0.1", 2222),
 *     new InetSocketAddress("server", 7000), Optional.empty()).toCompletableFuture().get();
 * // ssh -p 2222 localhost
 * }</pre>
 */
public final class ConnectTunnel {
  private final ActorSystem<?> system;
  private final Tcp.ServerBinding binding;
  private final ActorRef<TunnelStreams.Command> streams;

  private ConnectTunnel(ActorSystem<?> system, Tcp.ServerBinding binding,
      ActorRef<TunnelStreams.Command> streams) {
    this.system = system;
    this.binding = binding;
    this.streams = streams;
  }

  /**
   * Binds the local port with the settings of the actor system's configuration; the pipes run
   * over TLS when {@code backed-pipe.transport.tls.enabled} is on (the stores are read now).
   *
   * @param system the actor system
   * @param listen the local address applications connect to
   * @param server the {@code serve} end
   * @param listener told of every event of the tunnel's pipe, if present
   * @return the bound tunnel
   * @throws IllegalArgumentException when the TLS settings or stores are wrong
   */
  public static CompletionStage<ConnectTunnel> start(ActorSystem<?> system,
      InetSocketAddress listen, InetSocketAddress server,
      Optional<ActorRef<TunnelEvent>> listener) {
    TransportSettings transport = TransportSettings.create(system);
    PipeSettings settings = PipeSettings.create(system);
    TlsSettings tlsSettings = TlsSettings.create(system);
    // loaded once, shared by every stream's reconnector
    Optional<TlsContext> tls = tlsSettings.enabled()
        ? Optional.of(TlsContext.load(tlsSettings)) : Optional.empty();
    TunnelSettings tunnel = TunnelSettings.create(system);
    ActorRef<TunnelStreams.Command> streams = system.systemActorOf(
        TunnelStreams.connecting(parent -> {
          UUID id = UUID.randomUUID();
          TcpReconnector dialer = tls.isPresent()
              ? new TcpReconnector(system, server, id, true, transport, tls.get())
              : new TcpReconnector(system, server, id, true, transport);
          return TunnelSession.dialing(id, server, BackedPipe.create(dialer, settings),
              settings.reconnect().giveUpAfter(), tunnel, listener, parent);
        }),
        "tunnel-connect-" + UUID.randomUUID(), Props.empty());
    return Tcp.get(system).bind(listen.getHostString(), listen.getPort(),
            ServerSettings.create(system).acceptBacklog(),
            transport.socketOptions(),
            true, // half-close: the application's EOF must not end what flows back to it
            Optional.empty())
        .to(Sink.foreach(local -> streams.tell(new TunnelStreams.Accept(local))))
        .run(system)
        .thenApply(binding -> new ConnectTunnel(system, binding, streams));
  }

  /**
   * The local address applications connect to.
   *
   * @return the bound address
   */
  public InetSocketAddress address() {
    return binding.localAddress();
  }

  /**
   * Stops accepting local connections; streams already open go on.
   *
   * @return completes when unbound
   */
  public CompletionStage<Done> stop() {
    return binding.unbind().thenApply(unbound -> Done.getInstance());
  }

  /**
   * Shuts the tunnel down gracefully, as a process that is asked to stop should: stops accepting
   * local connections, gives the pipe up to {@code drain} for the server to acknowledge the bytes
   * it was sent, then closes it with a {@code CLOSE} ({@link TunnelCloseCode#TUNNEL_STOPPED}), so
   * that the server ends the target connections at once instead of keeping the pipe for its grace
   * period, and resets the local connections. The log says {@code shutting down: closing 1 tunnel
   * connection} and how it went.
   *
   * @param drain how long the pipe may wait for acknowledgements
   * @return completes with the number of tunnel connections closed, once their CLOSEs went out
   */
  public CompletionStage<Integer> shutdown(Duration drain) {
    return binding.unbind().handle((unbound, error) -> Done.getInstance())
        .thenCompose(unbound -> AskPattern.<TunnelStreams.Command, Integer>ask(streams,
            replyTo -> new TunnelStreams.Shutdown(drain, "connect is shutting down", replyTo),
            drain.plus(TunnelStreams.CLOSE_TIME).plusSeconds(1), system.scheduler()));
  }
}
