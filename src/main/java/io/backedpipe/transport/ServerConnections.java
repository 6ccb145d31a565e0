package io.backedpipe.transport;

import io.backedpipe.Connection;
import io.backedpipe.ResumePoint;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HumanText;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The accepting side over TCP: runs the server's side of the handshake on every incoming
 * connection and hands each completed {@code HELLO}, with the connection waiting for its pipe, to a
 * {@link Router}. A connection that fails its handshake (timeout, malformed bytes, wrong frame) is
 * closed and logged; nothing else is touched.
 *
 * <p>With a shared secret, the {@code CHALLENGE} says a proof is required, and every {@code
 * WELCOME} the router decides, OK or refusal, goes out with the server's proof over both nonces,
 * the {@code HELLO} it answers and its own fields ({@link SharedSecret}): signing here, where every
 * answer passes, means no path of the router can send an unproven one.
 *
 * <p>Thread-safe: the random source is the only shared state, and {@link SecureRandom} is safe.
 */
public final class ServerConnections {
  private static final Logger LOG = LoggerFactory.getLogger(ServerConnections.class);

  /** Decides what to do with one client's {@code HELLO}. */
  @FunctionalInterface
  public interface Router {
    /**
     * Routes one handshake; must not block.
     *
     * @param challenge the CHALLENGE this server sent on the connection (its nonce is what a
     *     HELLO's proof covers)
     * @param hello the client's HELLO
     * @param connection the started connection with the client's read position
     * @param welcome complete with the answer; a non-OK answer closes the connection after it
     * @param remote the client's address, as the TCP connection gives it
     */
    void route(Frame.Challenge challenge, Frame.Hello hello, Connection connection,
        CompletableFuture<Frame.Welcome> welcome, InetSocketAddress remote);
  }

  private final ActorSystem<?> system;
  private final TransportSettings settings;
  private final Router router;
  private final SecureRandom random = new SecureRandom();
  private final Optional<TlsContext> tls;

  /**
   * Creates the handler.
   *
   * @param system the actor system that runs the connections
   * @param settings the transport settings
   * @param router decides what each HELLO gets
   */
  public ServerConnections(ActorSystem<?> system, TransportSettings settings, Router router) {
    this.system = system;
    this.settings = settings;
    this.router = router;
    this.tls = Optional.empty();
  }

  /**
   * Creates a handler whose connections run over TLS, presenting {@code tls}'s certificate and
   * asking clients for theirs by its {@code client-auth}. A client that fails TLS is dropped and
   * logged like any failed handshake.
   *
   * @param system the actor system that runs the connections
   * @param settings the transport settings
   * @param tls the server's TLS material; must hold a key
   * @param router decides what each HELLO gets
   * @throws IllegalArgumentException when {@code tls} has no key store
   */
  public ServerConnections(ActorSystem<?> system, TransportSettings settings, TlsContext tls,
      Router router) {
    tls.requireKey();
    this.system = system;
    this.settings = settings;
    this.router = router;
    this.tls = Optional.of(tls);
  }

  /**
   * Starts the handshake on a new connection.
   *
   * @param incoming the accepted TCP connection
   * @return completes (never fails) when the handshake is over: its WELCOME went out, or it
   *     failed, timed out or the connection ended first
   */
  public CompletionStage<Done> handle(Tcp.IncomingConnection incoming) {
    byte[] nonce = new byte[Frame.Challenge.NONCE_BYTES];
    random.nextBytes(nonce);
    Frame.Challenge challenge = new Frame.Challenge(TcpReconnector.VERSION,
        settings.secret().isPresent(), ByteString.fromArrayUnsafe(nonce));
    ServerHandshake handshake = new ServerHandshake(challenge, settings.handshakeTimeout(),
        Optional.of(settings.heartbeatInterval()));
    Flow<Frame, Frame, ServerHandshake.Control> connection =
        ConnectionStack.serverStack(settings, handshake,
            tls.map(TlsLayer::server))
        .join(incoming.flow(), Keep.left());
    ConnectionStack.Started<ServerHandshake.Control> started =
        ConnectionStack.start(connection, settings, Materializer.matFromSystem(system));
    started.value().hello().whenComplete((hello, error) -> {
      if (error != null) {
        // DEBUG: any client can fail a handshake at will, as often as it connects
        LOG.debug("dropped connection from {}: {}", HumanText.address(incoming.remoteAddress()),
            error.getMessage());
        started.port().discard(); // no pipe will come for it: let the port go now
      } else {
        router.route(challenge, hello,
            started.connection(
                new ResumePoint(hello.readPosition(), hello.historyCheck(), hello.limits())),
            proving(challenge, hello, started.value().welcome()), incoming.remoteAddress());
      }
    });
    return started.value().ended();
  }

  /**
   * The future the router completes: its answer reaches the handshake with the server's proof
   * when the server has a secret, as is.
   */
  private CompletableFuture<Frame.Welcome> proving(Frame.Challenge challenge, Frame.Hello hello,
      CompletableFuture<Frame.Welcome> handshake) {
    if (settings.secret().isEmpty()) {
      return handshake;
    }
    SharedSecret secret = settings.secret().get();
    CompletableFuture<Frame.Welcome> decided = new CompletableFuture<>();
    decided.whenComplete((answer, error) -> {
      if (error != null) {
        handshake.completeExceptionally(error);
      } else {
        handshake.complete(answer.withProof(secret.proof(challenge.nonce(), hello, answer)));
      }
    });
    return decided;
  }
}
