package io.backedpipe.transport;

import io.backedpipe.HandshakeFailedException;
import io.backedpipe.HandshakeRefusedException;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HandshakeStatus;
import java.time.Duration;
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
 * {@link io.backedpipe.HandshakeFailedException} on a timeout, an unexpected frame or a closed
 * connection.
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
  private final Function<Frame.Challenge, Frame.Hello> hello;
  private final Duration timeout;

  /**
   * Creates the stage.
   *
   * @param hello builds the {@code HELLO} from the server's challenge
   * @param timeout the whole handshake must finish within this time
   */
  public ClientHandshake(Function<Frame.Challenge, Frame.Hello> hello, Duration timeout) {
    this.hello = hello;
    this.timeout = timeout;
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
    private boolean challenged;

    Logic(CompletableFuture<Frame.Welcome> welcome) {
      super(shape, timeout);
      this.welcome = welcome;
    }

    @Override
    protected void onHandshakeFrame(Frame frame) {
      if (!challenged && frame instanceof Frame.Challenge challenge) {
        challenged = true;
        Frame.Hello answer;
        try {
          answer = hello.apply(challenge);
        } catch (RuntimeException e) {
          failHandshake(new HandshakeFailedException("could not build the HELLO", e));
          return;
        }
        emit(toWire, answer);
        pull(fromWire);
      } else if (challenged && frame instanceof Frame.Welcome answer) {
        if (answer.status() == HandshakeStatus.OK) {
          welcome.complete(answer);
          open();
        } else {
          failHandshake(new HandshakeRefusedException(answer.status(), answer.detail()));
        }
      } else {
        unexpected(challenged ? "WELCOME" : "CHALLENGE", frame);
      }
    }

    @Override
    protected void onFailed(Throwable error) {
      welcome.completeExceptionally(error);
    }
  }
}
