package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.backedpipe.wire.Frame;
import java.io.IOException;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.SinkShape;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.stage.AbstractGraphStageWithMaterializedValue;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AsyncCallback;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The heartbeat of the handshake stage ({@link HandshakeLogic}) against a wire that takes a frame
 * only when told: a PING that takes the wire's demand holds back the pipe's next frame, a PING
 * that falls due while the WELCOME waits for demand goes after it, and a failure of the pipe ends
 * both ways, as a heartbeat stage of its own above the handshake did.
 */
class HeartbeatDemandTest {
  static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration LONG = Duration.ofSeconds(10);
  private static final Frame.Challenge CHALLENGE = HandshakeStagesTest.CHALLENGE;
  private static final Frame.Hello HELLO = HandshakeStagesTest.HELLO;
  private static final Frame.Welcome OK = HandshakeStagesTest.OK;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** A sink that pulls only when requested; its value requests. */
  static final class ManualSink extends AbstractGraphStageWithMaterializedValue<SinkShape<Frame>,
      Pair<AsyncCallback<Integer>, CompletableFuture<Done>>> {
    final Inlet<Frame> in = Inlet.create("ManualSink.in");
    final TestProbe<Frame> probe;

    ManualSink(TestProbe<Frame> probe) {
      this.probe = probe;
    }

    @Override
    public SinkShape<Frame> shape() {
      return SinkShape.of(in);
    }

    @Override
    public Pair<GraphStageLogic, Pair<AsyncCallback<Integer>, CompletableFuture<Done>>>
        createLogicAndMaterializedValuePair(Attributes a) {
      CompletableFuture<Done> done = new CompletableFuture<>();
      var logic = new GraphStageLogic(shape()) {
        int demand;
        final AsyncCallback<Integer> request = createAsyncCallback(n -> {
          demand += n;
          if (!hasBeenPulled(in) && !isClosed(in)) {
            demand--;
            pull(in);
          }
        });

        {
          setHandler(in, new AbstractInHandler() {
            @Override
            public void onPush() {
              probe.ref().tell(grab(in));
              if (demand > 0) {
                demand--;
                pull(in);
              }
            }

            @Override
            public void onUpstreamFinish() {
              done.complete(Done.getInstance());
            }

            @Override
            public void onUpstreamFailure(Throwable e) {
              done.completeExceptionally(e);
            }
          });
        }
      };
      return Pair.create(logic, Pair.create(logic.request, done));
    }
  }

  static final class Wired<M> {
    final TestProbe<Frame> toWire = testKit.createTestProbe();
    final TestProbe<Frame> toPipe = testKit.createTestProbe();
    final BoundedSourceQueue<Frame> fromPipe, fromWire;
    final M value;
    final AsyncCallback<Integer> wireRequest;
    final CompletableFuture<Done> wireDone;
    final CompletionStage<Done> pipeDone;

    Wired(Graph<BidiShape<Frame, Frame, Frame, Frame>, M> stage) {
      var wired = new WiredBidi<>(testKit.system(), stage, Sink.fromGraph(new ManualSink(toWire)),
          toPipe.ref());
      fromPipe = wired.fromAbove;
      value = wired.value;
      wireRequest = wired.below.first();
      wireDone = wired.below.second();
      fromWire = wired.fromBelow;
      pipeDone = wired.aboveDone;
    }
  }

  private static <T> T await(CompletionStage<T> s) throws Exception {
    return s.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static Frame data(String s) {
    return new Frame.Data(ByteString.fromString(s));
  }

  private static Wired<ServerHandshake.Control> open(Duration beat) throws Exception {
    var s = new Wired<>(new ServerHandshake(CHALLENGE, LONG, Optional.of(beat)));
    s.wireRequest.invoke(1);
    s.toWire.expectMessage(CHALLENGE);
    s.fromWire.offer(HELLO);
    await(s.value.hello());
    s.value.welcome().complete(OK);
    s.wireRequest.invoke(1);
    s.toWire.expectMessage(OK);
    return s;
  }

  @Test
  void shouldSendAPipeFrameThatLostItsDemandToAPingNextThenEnd() throws Exception {
    var s = open(Duration.ofMillis(100));
    s.wireRequest.invoke(1); // forwarded to the pipe, which has nothing
    s.toWire.expectMessage(LONG, new Frame.Ping(0)); // the PING takes that demand
    s.fromPipe.offer(data("a")); // pushed on the pull the PING took: held
    s.fromPipe.complete();
    s.toWire.expectNoMessage(Duration.ofMillis(300)); // the wire asked for nothing more
    s.wireRequest.invoke(1);
    s.toWire.expectMessage(data("a"));
    await(s.wireDone);
  }

  @Test
  void shouldSendAPingDueWhileTheWelcomeWaitsAfterIt() throws Exception {
    var s = new Wired<>(new ServerHandshake(CHALLENGE, LONG, Optional.of(Duration.ofMillis(50))));
    s.wireRequest.invoke(1);
    s.toWire.expectMessage(CHALLENGE);
    s.fromWire.offer(HELLO);
    await(s.value.hello());
    s.value.welcome().complete(OK); // no demand: emitted later
    s.toWire.expectNoMessage(Duration.ofMillis(300)); // six intervals pass meanwhile
    s.wireRequest.invoke(1);
    s.toWire.expectMessage(OK);
    s.wireRequest.invoke(1);
    s.toWire.expectMessage(new Frame.Ping(0));
    s.fromPipe.offer(data("x"));
    s.wireRequest.invoke(1);
    s.toWire.expectMessage(data("x"));
  }

  /** Regression (review): the pipe's failure had ended only the way out. */
  @Test
  void shouldEndBothWaysWhenThePipeFailsAsAHeartbeatStageAboveWould() throws Exception {
    var s = open(Duration.ofMinutes(1));
    s.fromPipe.fail(new IOException("pipe broke"));
    var e = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> await(s.wireDone));
    assertEquals("pipe broke", e.getCause().getMessage());
    // the old Heartbeat (default onUpstreamFailure = failStage) failed the way to the pipe too
    var e2 = org.junit.jupiter.api.Assertions.assertThrows(ExecutionException.class,
        () -> await(s.pipeDone));
    assertInstanceOf(IOException.class, e2.getCause());
  }
}
