package io.backedpipe.transport;

import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HandshakeStatus;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;

/**
 * The accepting side's handshake: sends {@code CHALLENGE} at once, waits for the client's
 * {@code HELLO}, then waits for the server's decision ({@link Control#welcome()}), sends that
 * {@code WELCOME}, and passes frames through if its status is {@code OK} or closes the connection
 * otherwise. Frames the pipe offers before that wait. Once open it keeps the connection's
 * heartbeat, if it was given one ({@link HandshakeLogic}).
 *
 * <p>Shape: {@code in1} frames from the pipe, {@code out1} to the wire, {@code in2} from the wire,
 * {@code out2} to the pipe.
 */
public final class ServerHandshake
    extends AbstractGraphStageWithMaterializedValue<
        BidiShape<Frame, Frame, Frame, Frame>, ServerHandshake.Control> {

  /**
   * How the server takes part in one handshake.
   *
   * @param hello completes with the client's {@code HELLO} (fails if the handshake fails first)
   * @param welcome complete it with the answer to send
   * @param ended completes when the handshake is over: its WELCOME went out, or it failed, timed
   *     out or the connection ended first (never fails)
   */
  public record Control(CompletionStage<Frame.Hello> hello, CompletableFuture<Frame.Welcome> welcome,
      CompletionStage<Done> ended) {}

  private final BidiShape<Frame, Frame, Frame, Frame> shape = BidiShape.of(
      Inlet.<Frame>create("ServerHandshake.fromPipe"), Outlet.<Frame>create("ServerHandshake.toWire"),
      Inlet.<Frame>create("ServerHandshake.fromWire"), Outlet.<Frame>create("ServerHandshake.toPipe"));
  private final Frame.Challenge challenge;
  private final Duration timeout;
  private final Duration heartbeat;

  /**
   * Creates the stage, with the connection's heartbeat once the handshake is over: a {@code PING}
   * when nothing was sent for {@code heartbeat}, and the client's {@code PING}s and {@code PONG}s
   * kept from the pipe.
   *
   * @param challenge the challenge to send first
   * @param timeout the whole handshake, the server's decision included, must finish within this
   * @param heartbeat the heartbeat interval; empty for no heartbeat (frames then pass as they
   *     are)
   */
  public ServerHandshake(Frame.Challenge challenge, Duration timeout,
      Optional<Duration> heartbeat) {
    this.challenge = challenge;
    this.timeout = timeout;
    this.heartbeat = heartbeat.orElse(null);
  }

  /**
   * Creates the stage without a heartbeat.
   *
   * @param challenge the challenge to send first
   * @param timeout the whole handshake, the server's decision included, must finish within this
   */
  public ServerHandshake(Frame.Challenge challenge, Duration timeout) {
    this(challenge, timeout, Optional.empty());
  }

  @Override
  public BidiShape<Frame, Frame, Frame, Frame> shape() {
    return shape;
  }

  @Override
  public Pair<GraphStageLogic, Control> createLogicAndMaterializedValuePair(
      Attributes attributes) {
    CompletableFuture<Frame.Hello> hello = new CompletableFuture<>();
    CompletableFuture<Frame.Welcome> welcome = new CompletableFuture<>();
    CompletableFuture<Done> ended = new CompletableFuture<>();
    return Pair.create(new Logic(hello, welcome, ended), new Control(hello, welcome, ended));
  }

  private final class Logic extends HandshakeLogic {
    /**
     * The handshake's futures, let go of once the WELCOME went out: the logic lives as long as
     * the connection, and what they hold (the HELLO, the WELCOME) is not needed after.
     */
    private CompletableFuture<Frame.Hello> hello;
    private CompletableFuture<Frame.Welcome> welcome;
    private final CompletableFuture<Done> ended;

    Logic(CompletableFuture<Frame.Hello> hello, CompletableFuture<Frame.Welcome> welcome,
        CompletableFuture<Done> ended) {
      super(shape, timeout, heartbeat);
      this.hello = hello;
      this.welcome = welcome;
      this.ended = ended;
    }

    @Override
    public void preStart() {
      super.preStart();
      emit(toWire, challenge);
      AsyncCallback<Frame.Welcome> decided = createAsyncCallback(this::onDecision);
      AsyncCallback<Throwable> undecided = createAsyncCallback(error -> failHandshake(
          new io.backedpipe.transport.HandshakeFailedException("the server could not decide", error)));
      welcome.whenComplete((answer, error) -> {
        if (answer != null) {
          decided.invoke(answer);
        } else {
          undecided.invoke(error);
        }
      });
    }

    @Override
    protected void onHandshakeFrame(Frame frame) {
      if (hello != null && !hello.isDone() && frame instanceof Frame.Hello h) {
        hello.complete(h); // no pull: the client sends nothing more until WELCOME
      } else {
        unexpected("HELLO", frame);
      }
    }

    private void onDecision(Frame.Welcome answer) {
      if (answer.status() == HandshakeStatus.OK) {
        emit(toWire, answer, () -> {
          ended.complete(Done.getInstance());
          hello = null;
          welcome = null;
        });
        open();
      } else {
        emit(toWire, answer, this::completeStage); // ended on stop
      }
    }

    @Override
    protected void onFailed(Throwable error) {
      if (hello != null) {
        hello.completeExceptionally(error);
      }
      ended.complete(Done.getInstance());
    }

    @Override
    public void postStop() {
      super.postStop();
      ended.complete(Done.getInstance()); // whatever was pending, the handshake is over
    }
  }
}
