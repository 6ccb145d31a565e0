package io.backedpipe.transport;

import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HandshakeStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The dialing side's handshake: waits for the server's {@code CHALLENGE}, answers with the
 * {@code HELLO} built from it, waits for {@code WELCOME}, then passes frames through. Materializes
 * a stage that completes with the {@code WELCOME} when its status is {@code OK}, and fails with
 * {@link HandshakeRefusedException} for any other status or
 * {@link io.backedpipe.transport.HandshakeFailedException} on a timeout, an unexpected frame or a closed
 * connection. Once open it keeps the connection's heartbeat, if it was given one
 * ({@link HandshakeLogic}).
 *
 * <p>With a shared secret, the {@code WELCOME} must prove it ({@link SharedSecret}); one that does not, whatever its status, fails the
 * stage with {@link UnprovenServerException}, which the pipe retries: a forged {@code
 * UNKNOWN_STREAM} must not end the stream, and an unproven {@code OK} must not carry its bytes.
 * Without a secret nothing can be proven, and a {@code CHALLENGE} that requires a proof fails the
 * stage at once with a permanent {@code NOT_AUTHORIZED} that says this client has no secret.
 *
 * <p>Shape: {@code in1} frames from the pipe, {@code out1} to the wire, {@code in2} from the wire,
 * {@code out2} to the pipe.
 */
public final class ClientHandshake
    extends AbstractGraphStageWithMaterializedValue<
        BidiShape<Frame, Frame, Frame, Frame>, CompletionStage<Frame.Welcome>> {
  private final BidiShape<Frame, Frame, Frame, Frame> shape = BidiShape.of(
      Inlet.<Frame>create("ClientHandshake.fromPipe"), Outlet.<Frame>create("ClientHandshake.toWire"),
      Inlet.<Frame>create("ClientHandshake.fromWire"), Outlet.<Frame>create("ClientHandshake.toPipe"));
  /** Why a WELCOME from a server that never asked for a proof is not trusted. */
  static final String NOT_ASKED = "the server did not ask for a proof: it has no shared secret,"
      + " or this is not the server you think";
  /** The NOT_AUTHORIZED detail when this client has no secret for a server that wants one. */
  static final String NO_CLIENT_SECRET =
      "the server requires a shared secret and this client has none";

  private final Function<Frame.Challenge, Frame.Hello> hello;
  private final Optional<SharedSecret> secret;
  private final Duration timeout;
  private final Duration heartbeat;

  /**
   * Creates the stage, with the connection's heartbeat once the handshake is over: a {@code PING}
   * when nothing was sent for {@code heartbeat}, and the server's {@code PING}s and {@code PONG}s
   * kept from the pipe.
   *
   * @param hello builds the {@code HELLO} from the server's challenge
   * @param secret the shared secret the {@code WELCOME} must prove; empty for none
   * @param timeout the whole handshake must finish within this time
   * @param heartbeat the heartbeat interval; empty for no heartbeat (frames then pass as they
   *     are)
   */
  public ClientHandshake(Function<Frame.Challenge, Frame.Hello> hello,
      Optional<SharedSecret> secret, Duration timeout, Optional<Duration> heartbeat) {
    this.hello = hello;
    this.secret = secret;
    this.timeout = timeout;
    this.heartbeat = heartbeat.orElse(null);
  }

  /**
   * Creates the stage without a heartbeat.
   *
   * @param hello builds the {@code HELLO} from the server's challenge
   * @param secret the shared secret the {@code WELCOME} must prove; empty for none
   * @param timeout the whole handshake must finish within this time
   */
  public ClientHandshake(Function<Frame.Challenge, Frame.Hello> hello,
      Optional<SharedSecret> secret, Duration timeout) {
    this(hello, secret, timeout, Optional.empty());
  }

  /**
   * Creates a stage without a shared secret or a heartbeat.
   *
   * @param hello builds the {@code HELLO} from the server's challenge
   * @param timeout the whole handshake must finish within this time
   */
  public ClientHandshake(Function<Frame.Challenge, Frame.Hello> hello, Duration timeout) {
    this(hello, Optional.empty(), timeout, Optional.empty());
  }

  @Override
  public BidiShape<Frame, Frame, Frame, Frame> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, CompletionStage<Frame.Welcome>>
      createLogicAndMaterializedValuePair(Attributes attributes) {
    CompletableFuture<Frame.Welcome> welcome = new CompletableFuture<>();
    return Pair.create(new Logic(welcome), welcome);
  }

  private final class Logic extends HandshakeLogic {
    private final CompletableFuture<Frame.Welcome> welcome;
    /** The server's CHALLENGE and our HELLO, once sent: the WELCOME's proof covers both. */
    private Frame.Challenge challenge;
    private Frame.Hello sent;

    Logic(CompletableFuture<Frame.Welcome> welcome) {
      super(shape, timeout, heartbeat);
      this.welcome = welcome;
    }

    @Override
    protected void onHandshakeFrame(Frame frame) {
      if (challenge == null && frame instanceof Frame.Challenge c) {
        onChallenge(c);
      } else if (challenge != null && frame instanceof Frame.Welcome answer) {
        onWelcome(answer);
      } else {
        unexpected(challenge != null ? "WELCOME" : "CHALLENGE", frame);
      }
    }

    private void onChallenge(Frame.Challenge c) {
      challenge = c;
      if (c.proofRequired() && secret.isEmpty()) {
        // a configuration error, told before the stream id goes out to a server that would refuse
        failHandshake(new HandshakeRefusedException(HandshakeStatus.NOT_AUTHORIZED,
            NO_CLIENT_SECRET));
        return;
      }
      try {
        sent = hello.apply(c);
      } catch (RuntimeException e) {
        failHandshake(new HandshakeFailedException("could not build the HELLO", e));
        return;
      }
      emit(toWire, sent);
      pull(fromWire);
    }

    private void onWelcome(Frame.Welcome answer) {
      Optional<String> unproven = secret.flatMap(s -> whyUnproven(s, answer));
      if (unproven.isPresent()) {
        failHandshake(new UnprovenServerException(answer.status(), answer.detail(),
            unproven.get()));
      } else if (answer.status() == HandshakeStatus.OK) {
        welcome.complete(answer);
        sent = null; // checked; the logic lives as long as the connection, the HELLO need not
        open();
      } else {
        failHandshake(new HandshakeRefusedException(answer.status(), answer.detail()));
      }
    }

    private Optional<String> whyUnproven(SharedSecret s, Frame.Welcome answer) {
      if (s.verifies(challenge.nonce(), sent, answer)) {
        return Optional.empty();
      } else if (!challenge.proofRequired()) {
        return Optional.of(NOT_ASKED);
      } else if (answer.proof().isEmpty()) {
        return Optional.of("the WELCOME carries no proof");
      }
      return Optional.of("the WELCOME's proof is wrong: the server's shared secret is not this"
          + " client's, or this is not the server you think");
    }

    @Override
    protected void onFailed(Throwable error) {
      welcome.completeExceptionally(error);
    }
  }
}
