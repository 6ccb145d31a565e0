package io.backedpipe.pipe;

import io.backedpipe.PipeCommand;
import io.backedpipe.ResumePoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.PipeStatus;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.testing.ProbeReconnector;
import io.backedpipe.testing.TestLink;
import io.backedpipe.testing.TestPeer;
import io.backedpipe.wire.Frame;
import java.time.Duration;
import java.util.Optional;
import java.util.SplittableRandom;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.util.ByteString;

/** One pipe under test, with a probe for its dials, one for its events, and helpers. */
final class PipeHarness {
  static final Duration TIMEOUT = Duration.ofSeconds(5);

  final ActorTestKit testKit;
  final TestProbe<ProbeReconnector.Request> dials;
  final TestProbe<PipeEvent> events;
  final ActorRef<PipeCommand> pipe;

  private PipeHarness(ActorTestKit testKit, PipeSettings settings, boolean dialing,
      java.util.function.LongSupplier nanoClock) {
    this.testKit = testKit;
    this.dials = testKit.createTestProbe();
    this.events = testKit.createTestProbe();
    Optional<io.backedpipe.Reconnector> reconnector =
        dialing ? Optional.of(new ProbeReconnector(dials.ref())) : Optional.empty();
    this.pipe = testKit.spawn(PipeSupervisor.create(reconnector, settings, new SplittableRandom(7),
        nanoClock));
    pipe.tell(new PipeCommand.Subscribe(events.ref()));
  }

  static PipeHarness dialing(ActorTestKit testKit, PipeSettings settings) {
    return new PipeHarness(testKit, settings, true, System::nanoTime);
  }

  /** A dialing pipe whose ack stall watch reads {@code nanoClock}. */
  static PipeHarness dialing(ActorTestKit testKit, PipeSettings settings,
      java.util.function.LongSupplier nanoClock) {
    return new PipeHarness(testKit, settings, true, nanoClock);
  }

  static PipeHarness accepting(ActorTestKit testKit, PipeSettings settings) {
    return new PipeHarness(testKit, settings, false, System::nanoTime);
  }

  /** Settings with fast retries and a single attempt unless a test says otherwise. */
  static PipeSettings settings(ActorTestKit testKit, ReconnectPolicy policy) {
    return PipeSettings.create(testKit.system()).withReconnect(policy);
  }

  static ReconnectPolicy fastRetries() {
    return ReconnectPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(5));
  }

  /** The far end of one connection. */
  record Peer(TestLink link, TestPeer end, TestProbe<Frame> frames, long pipeReadPosition) {

    /** Collects data frames (skipping acks) until exactly {@code size} bytes arrived. */
    ByteString receiveData(int size) {
      ByteString got = ByteString.emptyByteString();
      while (got.size() < size) {
        Frame frame = frames.receiveMessage(TIMEOUT);
        if (frame instanceof Frame.Data data) {
          got = got.concat(data.payload());
        }
      }
      assertEquals(size, got.size(), "received more data than expected");
      return got;
    }

    void send(String text) {
      end.send(new Frame.Data(ByteString.fromString(text)));
    }

    void awaitTerminated() {
      frames.awaitAssert(TIMEOUT, () -> {
        assertTrue(end.terminated().toCompletableFuture().isDone(), "peer end still open");
        return null;
      });
    }
  }

  /** Answers the next dial with a new in-memory connection whose peer has read {@code peerPos}. */
  Peer answerDial(long peerReadPosition) {
    ProbeReconnector.Request request = dials.expectMessageClass(ProbeReconnector.Request.class,
        TIMEOUT);
    Peer peer = newPeer(request.localReadPosition());
    request.succeed(peer.link().connectionA(peerReadPosition));
    return peer;
  }

  Peer newPeer(long pipeReadPosition) {
    TestLink link = TestLink.create(testKit.system());
    TestProbe<Frame> frames = testKit.createTestProbe();
    TestPeer end = TestPeer.attach(testKit.system(), link.sideB(), frames.ref());
    return new Peer(link, end, frames, pipeReadPosition);
  }

  /** Accepts a new in-memory connection whose peer has read {@code peerReadPosition}. */
  Peer accept(long peerReadPosition, TestProbe<StatusReply<ResumePoint>> replies) {
    Peer peer = newPeer(-1);
    pipe.tell(new PipeCommand.Accept(peer.link().connectionA(peerReadPosition),
        replies.ref()));
    return peer;
  }

  TestProbe<StatusReply<Done>> connect() {
    TestProbe<StatusReply<Done>> replies = testKit.createTestProbe();
    pipe.tell(new PipeCommand.Connect(replies.ref()));
    return replies;
  }

  TestProbe<StatusReply<Done>> forceReconnect() {
    TestProbe<StatusReply<Done>> replies = testKit.createTestProbe();
    pipe.tell(new PipeCommand.ForceReconnect(replies.ref()));
    return replies;
  }

  /** Connects and answers the dial; returns the peer. */
  Peer connected(long peerReadPosition) {
    TestProbe<StatusReply<Done>> replies = connect();
    Peer peer = answerDial(peerReadPosition);
    assertTrue(replies.receiveMessage(TIMEOUT).isSuccess(), "connect failed");
    return peer;
  }

  StatusReply<Done> close() {
    TestProbe<StatusReply<Done>> replies = testKit.createTestProbe();
    pipe.tell(new PipeCommand.Close(replies.ref()));
    return replies.receiveMessage(TIMEOUT);
  }

  PipeStatus status() {
    TestProbe<PipeStatus> replies = testKit.createTestProbe();
    pipe.tell(new PipeCommand.GetStatus(replies.ref()));
    return replies.receiveMessage(TIMEOUT);
  }

  /**
   * Makes the connection of {@code peer} prove itself (the peer sends one byte of data) and waits
   * until the pipe has received it; the pipe's proof is then ahead of anything the test does next.
   */
  void awaitProved(Peer peer) {
    long before = status().receivedPosition();
    peer.send("!");
    events.awaitAssert(TIMEOUT, () -> {
      assertEquals(before + 1, status().receivedPosition());
      return null;
    });
  }

  /** Skips events until one of {@code type} arrives. */
  <E extends PipeEvent> E awaitEvent(Class<E> type) {
    return io.backedpipe.Events.await(events, type, TIMEOUT);
  }
}
