package io.backedpipe.testing;

import io.backedpipe.Connection;
import io.backedpipe.PipeCommand;
import io.backedpipe.wire.Frame;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.AsPublisher;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.reactivestreams.Publisher;

/**
 * An in-memory connection with two ends, {@link #sideA()} and {@link #sideB()}, that a test can
 * cut, close, stall and resume: frames pushed into one side come out of the other, in order, with
 * backpressure.
 *
 * <p>Thread-safe: the control methods may be called from any thread, the test's included. Each
 * side may be materialized once.
 *
 * <pre>{@code
 * TestLink link = TestLink.create(system);
 * pipe.tell(new PipeCommand.Accept(link.connectionA(0), replyProbe.ref()));
 * link.cut();      // both ends fail, like a reset
 * }</pre>
 */
public final class TestLink {
  private final SharedKillSwitch killSwitch;
  private final AtomicReference<CompletableFuture<Done>> gate =
      new AtomicReference<>(CompletableFuture.completedFuture(Done.getInstance()));
  private final Flow<Frame, Frame, NotUsed> sideA;
  private final Flow<Frame, Frame, NotUsed> sideB;

  private TestLink(ActorSystem<?> system) {
    this.killSwitch = KillSwitches.shared("test-link");
    Pair<Publisher<Frame>, Sink<Frame, NotUsed>> aToB =
        Sink.<Frame>asPublisher(AsPublisher.WITHOUT_FANOUT).preMaterialize(system);
    Pair<Publisher<Frame>, Sink<Frame, NotUsed>> bToA =
        Sink.<Frame>asPublisher(AsPublisher.WITHOUT_FANOUT).preMaterialize(system);
    this.sideA = end(aToB.second(), bToA.first());
    this.sideB = end(bToA.second(), aToB.first());
  }

  /**
   * Creates a link whose ends are not yet materialized.
   *
   * @param system the actor system that runs the link's streams
   * @return the link
   */
  public static TestLink create(ActorSystem<?> system) {
    return new TestLink(system);
  }

  private Flow<Frame, Frame, NotUsed> end(Sink<Frame, NotUsed> toPeer, Publisher<Frame> fromPeer) {
    Sink<Frame, NotUsed> outgoing =
        Flow.<Frame>create().via(gated()).via(killSwitch.flow()).to(toPeer);
    Source<Frame, NotUsed> incoming = Source.fromPublisher(fromPeer).via(killSwitch.flow());
    return Flow.fromSinkAndSource(outgoing, incoming);
  }

  private Flow<Frame, Frame, NotUsed> gated() {
    return Flow.<Frame>create().mapAsync(1, frame -> gate.get().thenApply(open -> frame));
  }

  /**
   * One end of the link.
   *
   * @return side A
   */
  public Flow<Frame, Frame, NotUsed> sideA() {
    return sideA;
  }

  /**
   * The other end of the link.
   *
   * @return side B
   */
  public Flow<Frame, Frame, NotUsed> sideB() {
    return sideB;
  }

  /**
   * Side A as a connection whose peer has read {@code peerReadPosition} bytes.
   *
   * @param peerReadPosition the position side B's owner reports
   * @return the connection
   */
  public Connection connectionA(long peerReadPosition) {
    return new Connection(peerReadPosition, sideA);
  }

  /**
   * Side B as a connection whose peer has read {@code peerReadPosition} bytes.
   *
   * @param peerReadPosition the position side A's owner reports
   * @return the connection
   */
  public Connection connectionB(long peerReadPosition) {
    return new Connection(peerReadPosition, sideB);
  }

  /** Fails both ends at once, like a connection reset. */
  public void cut() {
    killSwitch.abort(new IOException("test link cut"));
  }

  /** Completes both ends at once, like a transport EOF without end-of-stream. */
  public void close() {
    killSwitch.shutdown();
  }

  /** Stops forwarding frames in both directions without closing (a blackhole). */
  public void stall() {
    gate.getAndUpdate(current -> current.isDone() ? new CompletableFuture<>() : current);
  }

  /** Forwards frames again after {@link #stall()}. */
  public void resume() {
    gate.get().complete(Done.getInstance());
  }
}
