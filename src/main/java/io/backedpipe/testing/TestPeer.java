package io.backedpipe.testing;

import io.backedpipe.wire.Frame;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The far end of a connection, played by a test: every frame the pipe sends goes to an actor
 * (typically a {@code TestProbe<Frame>}), and {@link #send} injects frames as if the peer sent them.
 *
 * <p>Thread-safe. Use it with {@link TestLink#sideB()} while the pipe gets side A.
 *
 * <pre>{@code
 * TestLink link = TestLink.create(system);
 * TestPeer peer = TestPeer.attach(system, link.sideB(), frames.ref());
 * dial.succeed(link.connectionA(0));
 * peer.send(new Frame.Data(ByteString.fromString("hi")));
 * frames.expectMessageClass(Frame.Ack.class);
 * }</pre>
 */
public final class TestPeer {
  private final BoundedSourceQueue<Frame> queue;
  private final CompletionStage<Done> terminated;

  private TestPeer(BoundedSourceQueue<Frame> queue, CompletionStage<Done> terminated) {
    this.queue = queue;
    this.terminated = terminated;
  }

  /**
   * Materializes {@code side} with frames coming from this peer and going to {@code frames}.
   *
   * @param system the actor system
   * @param side one end of a connection
   * @param frames who receives the frames the pipe sends
   * @return the peer
   */
  public static TestPeer attach(
      ActorSystem<?> system, Flow<Frame, Frame, ?> side, ActorRef<Frame> frames) {
    Pair<BoundedSourceQueue<Frame>, CompletionStage<Done>> running =
        Source.<Frame>queue(1024)
            .via(side)
            .toMat(Sink.foreach(frames::tell), Keep.both())
            .run(system);
    return new TestPeer(running.first(), running.second());
  }

  /**
   * Sends a frame to the pipe.
   *
   * @param frame the frame
   * @throws IllegalStateException if the peer's queue is full or closed
   */
  public void send(Frame frame) {
    QueueOfferResult result = queue.offer(frame);
    if (result != QueueOfferResult.enqueued()) {
      throw new IllegalStateException("frame not enqueued: result=" + result);
    }
  }

  /** Ends the peer's outgoing side (a transport EOF, as seen by the pipe). */
  public void complete() {
    queue.complete();
  }

  /**
   * Completes when the pipe's side of the connection ended (it closed or cut the connection).
   *
   * @return completes normally on a close and exceptionally on a failure
   */
  public CompletionStage<Done> terminated() {
    return terminated;
  }
}
