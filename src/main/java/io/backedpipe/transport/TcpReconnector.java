package io.backedpipe.transport;

import io.backedpipe.Connection;
import io.backedpipe.Reconnector;
import io.backedpipe.ResumePoint;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HumanText;
import io.backedpipe.wire.MalformedFrameException;
import io.backedpipe.wire.PeerText;
import java.net.InetSocketAddress;
import java.security.SecureRandom;
import java.time.Duration;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.stream.scaladsl.Framing;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The dialing side over TCP: every call opens a TCP connection to the server, runs the handshake
 * (answering the server's challenge with this stream's id and the local resume point) and, once
 * the server's {@code WELCOME} says {@code OK}, hands the pipe the connection with the server's
 * resume point, whose history check the pipe's writer verifies. A refusal fails the call with {@link io.backedpipe.transport.HandshakeRefusedException},
 * which ends the pipe when the status is permanent. Given a {@link TlsContext}, every connection
 * runs over TLS and verifies the server's certificate first.
 *
 * <p>With a shared secret every {@code HELLO} carries a fresh nonce and the proof, and every
 * {@code WELCOME} must prove the secret in turn over both nonces; one that does not is a failed
 * attempt ({@link io.backedpipe.transport.UnprovenServerException}), never a refusal that ends the pipe. A
 * server that does not ask for a proof is warned about once.
 *
 * <pre>{@code
 * UUID id = UUID.randomUUID();
 * Reconnector dialer = new TcpReconnector(system, new InetSocketAddress("server", 7000), id, true,
 *     TransportSettings.create(system));
 * var pipe = context.spawn(BackedPipe.create(dialer, PipeSettings.create(system)), "pipe");
 * }</pre>
 *
 * <p>A connection that fails before the server's {@code CHALLENGE} (which a backed-pipe server sends
 * first, at once) fails with a {@link HandshakeFailedException} that says what answered instead:
 * {@code not a backed-pipe server (it sent "SSH-2.0-OpenSSH_9.6p1 Ub"...)}, {@code no challenge
 * within 3s (...)} or {@code closed before its challenge (...)}; {@link FailureText} says any
 * failure in words.
 *
 * <p>One per pipe: it remembers whether the stream was ever established (see {@code create}).
 */
public final class TcpReconnector implements Reconnector {
  /**
   * The protocol version this implementation speaks: 2 since HELLO and WELCOME carry each side's
   * limits (version 1 had none, and its peers are refused with VERSION_UNSUPPORTED).
   */
  public static final int VERSION = io.backedpipe.wire.FrameCodec.PROTOCOL_VERSION;
  private static final Logger LOG = LoggerFactory.getLogger(TcpReconnector.class);
  /** How many of a foreign server's first bytes a failure shows. */
  static final int FIRST_BYTES_SHOWN = 24;
  /** Thread-safe; one per JVM is enough for nonces. */
  private static final SecureRandom RANDOM = new SecureRandom();

  private final ActorSystem<?> system;
  private final InetSocketAddress server;
  private final UUID streamId;
  private final boolean create;
  private final TransportSettings settings;
  private final Optional<TlsContext> tls;
  /**
   * Whether a server has said OK to this stream once. After that the HELLO no longer asks to
   * create it: a stream the server has forgotten (its grace period passed) must be refused, not
   * silently created afresh, or the client would replay its unacknowledged bytes into a new
   * stream. Written when a WELCOME OK arrives and read when the next HELLO is built; the pipe calls
   * {@link #reconnect} only after the previous attempt's result reached it as a message, which
   * orders the two (a late, abandoned attempt can only set it to true, which is also right).
   */
  private boolean established;
  /**
   * Whether this reconnector has warned that a server did not ask for the proof of its secret:
   * once is enough, every failed attempt says it again in its cause. Ordered as {@link
   * #established} is; a race could at worst warn twice.
   */
  private boolean warnedNotAsked;

  /**
   * A reconnector for a new stream with a fresh random id, which the server creates on first
   * contact (and only then: once it said OK, a server that forgot the stream refuses it).
   *
   * @param system the actor system that runs the connections
   * @param server the server's address
   * @param settings the transport settings
   * @return the reconnector
   */
  public static TcpReconnector newStream(ActorSystem<?> system, InetSocketAddress server,
      TransportSettings settings) {
    return new TcpReconnector(system, server, UUID.randomUUID(), true, settings);
  }

  /**
   * The id of the stream this reconnector dials.
   *
   * @return the id
   */
  public UUID streamId() {
    return streamId;
  }

  /**
   * Creates the reconnector.
   *
   * @param system the actor system that runs the connections
   * @param server the server's address
   * @param streamId the stream's id
   * @param create whether the server may create the stream on first contact ({@code true} for
   *     a new stream); {@code false} to resume only a stream the server already has
   * @param settings the transport settings
   */
  public TcpReconnector(ActorSystem<?> system, InetSocketAddress server, UUID streamId,
      boolean create, TransportSettings settings) {
    this.system = system;
    this.server = server;
    this.streamId = streamId;
    this.create = create;
    this.settings = settings;
    this.tls = Optional.empty();
  }

  /**
   * Creates a reconnector whose connections run over TLS: each verifies the server's certificate
   * against {@code tls}'s trust store and, by its settings, that it names {@code server}'s host. A
   * TLS failure fails the attempt with {@link io.backedpipe.transport.TlsFailedException}, which the pipe
   * retries by its policy.
   *
   * @param system the actor system that runs the connections
   * @param server the server's address; its host name is the one the certificate must name
   * @param streamId the stream's id
   * @param create whether the server may create the stream on first contact
   * @param settings the transport settings
   * @param tls the loaded TLS material, shared by any number of reconnectors
   */
  public TcpReconnector(ActorSystem<?> system, InetSocketAddress server, UUID streamId,
      boolean create, TransportSettings settings, TlsContext tls) {
    this.system = system;
    this.server = server;
    this.streamId = streamId;
    this.create = create;
    this.settings = settings;
    this.tls = Optional.of(tls);
  }

  /**
   * The HELLO, with a fresh nonce and the proof of the shared secret over both nonces, if any.
   */
  private Frame.Hello hello(Frame.Challenge challenge, ResumePoint local) {
    boolean createNow = create && !established;
    if (settings.secret().isPresent() && !challenge.proofRequired() && !warnedNotAsked) {
      warnedNotAsked = true;
      LOG.warn("{} stream {}: {}; its answers are not trusted (no stream is attached, no refusal"
          + " ends the stream)", HumanText.address(server), streamId, ClientHandshake.NOT_ASKED);
    }
    byte[] nonce = new byte[Frame.Hello.NONCE_BYTES];
    RANDOM.nextBytes(nonce);
    Frame.Hello hello = new Frame.Hello(VERSION, streamId, createNow, local.position(),
        local.historyCheck(), local.limits(), ByteString.fromArrayUnsafe(nonce),
        ByteString.emptyByteString());
    return settings.secret()
        .map(secret -> hello.withProof(secret.proof(challenge.nonce(), hello)))
        .orElse(hello);
  }

  @Override
  public CompletionStage<Connection> reconnect(ResumePoint local) {
    // Whether the server's CHALLENGE came: a failure before it says the server is not ours.
    CompletableFuture<Frame.Challenge> challenged = new CompletableFuture<>();
    ClientHandshake handshake = new ClientHandshake(challenge -> {
          challenged.complete(challenge);
          return hello(challenge, local);
        }, settings.secret(), settings.handshakeTimeout(),
        Optional.of(settings.heartbeatInterval()));
    Flow<ByteString, ByteString, CompletionStage<Tcp.OutgoingConnection>> tcp =
        Tcp.get(system).outgoingConnection(server,
            // half-close: ending our write side (after a CLOSE) must not cut the peer's off
            Optional.empty(), settings.socketOptions(), true,
            Optional.of(settings.connectTimeout()), Optional.empty());
    // the stack keeps the server's first bytes, to say what answered when it is not ours
    Flow<Frame, Frame, Pair<Pair<CompletionStage<Frame.Welcome>,
        CompletionStage<Optional<ByteString>>>, CompletionStage<Tcp.OutgoingConnection>>>
        connection = ConnectionStack.clientStack(settings, handshake,
            tls.map(t -> TlsLayer.client(t, server)))
        .join(tcp, Keep.both());
    var started = ConnectionStack.start(connection, settings, Materializer.matFromSystem(system));
    CompletionStage<Frame.Welcome> welcome = started.value().first().first();
    CompletionStage<Optional<ByteString>> firstBytes = started.value().first().second();
    CompletableFuture<Tcp.OutgoingConnection> tcpConnected =
        started.value().second().toCompletableFuture();
    welcome.whenComplete((w, error) -> {
      if (error != null) {
        started.port().discard(); // no pipe will come for it: let the port go now
      }
    });
    return welcome
        .exceptionallyCompose(error -> explained(unwrap(error), challenged, tcpConnected,
            firstBytes))
        .thenApply(w -> {
          established = true;
          return started.connection(
              new ResumePoint(w.readPosition(), w.historyCheck(), w.limits()));
        });
  }

  /**
   * A failed attempt, told in better words when they are known: a server that was reached but
   * failed before its {@code CHALLENGE} is not a backed-pipe server ({@link #notOurServer}), and a
   * silent link before the TCP connection was even made is a connect that timed out.
   */
  private CompletionStage<Frame.Welcome> explained(Throwable error,
      CompletableFuture<Frame.Challenge> challenged,
      CompletableFuture<Tcp.OutgoingConnection> tcpConnected,
      CompletionStage<Optional<ByteString>> firstBytes) {
    boolean vague = error instanceof HandshakeFailedException
        || error instanceof io.backedpipe.transport.LinkSilentException;
    if (!vague || challenged.isDone() || tcpConnected.isCompletedExceptionally()) {
      // a refusal, a TLS failure, a failed connect: they say what they are
      return CompletableFuture.failedStage(error);
    }
    if (!tcpConnected.isDone()) {
      return CompletableFuture.failedStage(error instanceof io.backedpipe.transport.LinkSilentException
          ? new HandshakeFailedException("timed out: no TCP connection within "
              + HumanText.duration(settings.heartbeatTimeout()), null)
          : error);
    }
    return firstBytes.handle((bytes, none) -> {
      throw new CompletionException(notOurServer(error, bytes != null ? bytes : Optional.empty()));
    });
  }

  /**
   * Why a TCP connection that failed before the server's {@code CHALLENGE} did not reach a
   * backed-pipe server, in words ({@link FailureText}): a backed-pipe server sends its challenge
   * first and at once, so anything else, silence or an early close means another service answered
   * (an SSH daemon, a web server), a server that expects TLS, or one at its handshake limit.
   */
  private HandshakeFailedException notOurServer(Throwable error, Optional<ByteString> bytes) {
    boolean silent = error instanceof io.backedpipe.transport.LinkSilentException
        || error instanceof HandshakeFailedException && error.getCause() == null
            && error.getMessage().contains("timed out");
    if (silent) {
      Duration wait = settings.heartbeatTimeout().compareTo(settings.handshakeTimeout()) < 0
          ? settings.heartbeatTimeout() : settings.handshakeTimeout();
      return new HandshakeFailedException("no challenge within " + HumanText.duration(wait)
          + " (not a backed-pipe server" + (tls.isPresent() ? ")" : ", or one that expects TLS)"),
          null);
    }
    if (bytes.isPresent() && tls.isEmpty()) {
      return new HandshakeFailedException("not a backed-pipe server (it sent "
          + PeerText.quoteBytes(bytes.get().toArrayUnsafe(), FIRST_BYTES_SHOWN) + ")", null);
    }
    boolean garbled = error.getCause() instanceof Framing.FramingException
        || error.getCause() instanceof MalformedFrameException
        || String.valueOf(error.getMessage()).contains("unexpected frame");
    if (garbled) { // over TLS the bytes on the wire say nothing: they are encrypted
      return new HandshakeFailedException(
          "not a backed-pipe server (its first frame is not a challenge)", null);
    }
    return new HandshakeFailedException("closed before its challenge (not a backed-pipe server,"
        + " or one at its handshake limit)", null);
  }

  private static Throwable unwrap(Throwable error) {
    return error instanceof CompletionException && error.getCause() != null
        ? error.getCause() : error;
  }
}
