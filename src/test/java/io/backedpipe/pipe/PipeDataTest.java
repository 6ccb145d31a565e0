package io.backedpipe.pipe;

import io.backedpipe.ResumePoint;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.DisconnectCause;
import io.backedpipe.FuturePositionException;
import io.backedpipe.PipeClosedException;
import io.backedpipe.PipeCommand;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.PipeState;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.ReplayUnavailableException;
import io.backedpipe.SourceAlreadyOpenException;
import io.backedpipe.testing.ProbeReconnector;
import io.backedpipe.wire.Frame;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Bytes through a pipe: replay, acknowledgement, backpressure, and refused positions. */
class PipeDataTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration NO_MORE = Duration.ofMillis(150);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static PipeHarness retrying() {
    return PipeHarness.dialing(testKit, PipeHarness.settings(testKit,
        PipeHarness.fastRetries()));
  }

  private static PipeHarness smallWindow(int windowBytes) {
    PipeSettings settings = PipeSettings.create(testKit.system())
        .withReconnect(PipeHarness.fastRetries())
        .withWindowBytes(windowBytes);
    return PipeHarness.dialing(testKit, settings);
  }

  private static CompletionStage<Done> write(PipeHarness h, String... chunks) {
    return Source.from(List.of(chunks)).map(ByteString::fromString)
        .runWith(PipeStreams.sink(h.pipe), testKit.system());
  }

  private static void awaitWritePosition(PipeHarness h, long position) {
    h.events.awaitAssert(PipeHarness.TIMEOUT, () -> {
      assertEquals(position, h.status().writePosition());
      return null;
    });
  }

  @Test
  void shouldDeliverWritesMadeBeforeTheFirstConnectOnce() {
    PipeHarness h = retrying();
    write(h, "early", " bird");
    awaitWritePosition(h, 10);
    PipeHarness.Peer peer = h.connected(0);
    assertEquals("early bird", peer.receiveData(10).utf8String());
    assertInstanceOf(Frame.EndOfStream.class, peer.frames().receiveMessage());
    peer.frames().expectNoMessage(NO_MORE);
  }

  @Test
  void shouldReplayOnlyWhatThePeerLacks() {
    PipeHarness h = retrying();
    PipeHarness.Peer first = h.connected(0);
    var queue = Source.<ByteString>queue(8).to(PipeStreams.sink(h.pipe)).run(testKit.system());
    queue.offer(ByteString.fromString("0123456789abcdefghij"));
    assertEquals(20, first.receiveData(20).size());
    first.link().cut();
    PipeHarness.Peer second = h.answerDial(17);
    assertEquals("hij", second.receiveData(3).utf8String());
    queue.offer(ByteString.fromString("KLM"));
    assertEquals("KLM", second.receiveData(3).utf8String());
    assertEquals(new PipeEvent.Connected(1, 0, 0, 0), h.awaitEvent(PipeEvent.Connected.class));
    // The first connection was cut before the peer acknowledged anything: a failed attempt, after
    // which the children moved on to generation 2 at once and the retry took generation 3.
    assertEquals(new PipeEvent.Connected(3, 17, 3, 1), h.awaitEvent(PipeEvent.Connected.class));
  }

  @Test
  void shouldReleaseWindowMemoryWhenThePeerAcknowledges() {
    PipeHarness h = retrying();
    PipeHarness.Peer peer = h.connected(0);
    write(h, "0123456789");
    peer.receiveData(10);
    assertEquals(10, h.status().unackedBytes());
    peer.end().send(new Frame.Ack(10));
    h.events.awaitAssert(PipeHarness.TIMEOUT, () -> {
      assertEquals(0, h.status().unackedBytes());
      return null;
    });
    assertEquals(10, h.status().ackedPosition());
  }

  @Test
  void shouldAcknowledgeDeliveredBytesToThePeer() {
    PipeHarness h = retrying();
    PipeHarness.Peer peer = h.connected(0);
    PipeStreams.source(h.pipe).runWith(Sink.ignore(), testKit.system());
    peer.send("hello");
    Frame ack = peer.frames().receiveMessage(PipeHarness.TIMEOUT);
    assertEquals(new Frame.Ack(5), ack);
  }

  @Test
  void shouldBackpressureWritersAtTheWindowWhileDisconnected() throws Exception {
    PipeHarness h = smallWindow(1024);
    CompletionStage<Done> written = Source.single(ByteString.fromArray(new byte[4096]))
        .runWith(PipeStreams.sink(h.pipe), testKit.system());
    awaitWritePosition(h, 1024);
    h.events.expectNoMessage(NO_MORE);
    assertFalse(written.toCompletableFuture().isDone(), "write accepted beyond the window");
    assertEquals(1024, h.status().writePosition());
    PipeHarness.Peer peer = h.connected(0);
    peer.receiveData(1024);
    peer.end().send(new Frame.Ack(1024));
    peer.receiveData(1024);
    peer.end().send(new Frame.Ack(2048));
    peer.receiveData(1024);
    peer.end().send(new Frame.Ack(3072));
    peer.receiveData(1024);
    assertEquals(new Frame.EndOfStream(4096), peer.frames().receiveMessage());
    assertFalse(written.toCompletableFuture().isDone(), "done before the peer acknowledged it");
    peer.end().send(new Frame.Ack(4096)); // the Sink's value means: the peer has it all
    written.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void shouldBackpressureWritersAtTheWindowWhileConnectedAndNeverEvictUnacknowledgedBytes()
      throws Exception {
    PipeHarness h = smallWindow(1024);
    PipeHarness.Peer first = h.connected(0);
    byte[] data = new byte[3000];
    new java.util.Random(3).nextBytes(data);
    CompletionStage<Done> written = Source.single(ByteString.fromArray(data))
        .runWith(PipeStreams.sink(h.pipe), testKit.system());
    assertEquals(ByteString.fromArray(data, 0, 1024), first.receiveData(1024));
    first.frames().expectNoMessage(NO_MORE);
    assertEquals(1024, h.status().writePosition());
    first.link().cut();
    PipeHarness.Peer second = h.answerDial(0);
    assertEquals(ByteString.fromArray(data, 0, 1024), second.receiveData(1024));
    second.end().send(new Frame.Ack(1024));
    assertEquals(ByteString.fromArray(data, 1024, 1024), second.receiveData(1024));
    second.end().send(new Frame.Ack(2048));
    assertEquals(ByteString.fromArray(data, 2048, 952), second.receiveData(952));
    second.end().send(new Frame.Ack(3000));
    written.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void shouldFailWithDataLossWhenThePeerAsksForAcknowledgedBytes() throws Exception {
    PipeHarness h = retrying();
    PipeHarness.Peer first = h.connected(0);
    CompletionStage<List<ByteString>> read =
        PipeStreams.source(h.pipe).runWith(Sink.seq(), testKit.system());
    var queue = Source.<ByteString>queue(8).to(PipeStreams.sink(h.pipe)).run(testKit.system());
    queue.offer(ByteString.fromString("0123456789"));
    first.receiveData(10);
    first.end().send(new Frame.Ack(10));
    h.events.awaitAssert(PipeHarness.TIMEOUT, () -> {
      assertEquals(10, h.status().ackedPosition());
      return null;
    });
    first.link().cut();
    PipeHarness.Peer second = h.answerDial(5);
    PipeEvent.DataLost lost = h.awaitEvent(PipeEvent.DataLost.class);
    assertEquals("replay unavailable: requestedPosition=5 missing=[5,10) held=[10,10)",
        lost.error().getMessage());
    PipeEvent.Closed closed = h.awaitEvent(PipeEvent.Closed.class);
    assertEquals(DisconnectCause.DATA_LOSS, closed.cause());
    second.awaitTerminated();
    second.frames().expectNoMessage(NO_MORE);
    ExecutionException failed = assertThrows(ExecutionException.class,
        () -> read.toCompletableFuture().get(5, TimeUnit.SECONDS));
    PipeClosedException reason = assertInstanceOf(PipeClosedException.class, failed.getCause());
    assertInstanceOf(ReplayUnavailableException.class, reason.getCause());
    assertEquals(PipeState.CLOSED, h.status().state());
  }

  @Test
  void shouldRefuseAPeerThatClaimsBytesNeverWritten() {
    PipeHarness h = retrying();
    TestProbe<StatusReply<Done>> replies = h.connect();
    PipeHarness.Peer peer = h.answerDial(99);
    FuturePositionException error = assertInstanceOf(FuturePositionException.class,
        replies.receiveMessage().getError());
    assertEquals("future position: requestedPosition=99 writePosition=0", error.getMessage());
    peer.awaitTerminated();
    peer.frames().expectNoMessage(NO_MORE);
    assertEquals(PipeState.CLOSED, h.status().state());
  }

  @Test
  void shouldRefuseAnAcceptedConnectionWithAnImpossiblePositionAndStayOpen() {
    PipeHarness h = PipeHarness.accepting(testKit,
        PipeHarness.settings(testKit, ReconnectPolicy.singleAttempt()));
    TestProbe<StatusReply<ResumePoint>> replies = testKit.createTestProbe();
    PipeHarness.Peer bad = h.accept(50, replies);
    assertEquals("future position: requestedPosition=50 writePosition=0",
        replies.receiveMessage().getError().getMessage());
    bad.awaitTerminated();
    assertEquals(PipeState.DISCONNECTED, h.status().state());
    h.accept(0, replies);
    assertEquals(StatusReply.success(new ResumePoint(0, 0, defaultLimits())), replies.receiveMessage());
    assertEquals(PipeState.CONNECTED, h.status().state());
  }

  @Test
  void shouldLetANewerAcceptedConnectionTakeOver() {
    PipeHarness h = PipeHarness.accepting(testKit,
        PipeHarness.settings(testKit, ReconnectPolicy.singleAttempt()));
    TestProbe<StatusReply<ResumePoint>> replies = testKit.createTestProbe();
    PipeHarness.Peer first = h.accept(0, replies);
    assertTrue(replies.receiveMessage().isSuccess());
    var queue = Source.<ByteString>queue(8).to(PipeStreams.sink(h.pipe)).run(testKit.system());
    queue.offer(ByteString.fromString("abcdef"));
    first.receiveData(6);
    first.send("xy");
    h.events.awaitAssert(PipeHarness.TIMEOUT, () -> {
      assertEquals(2, h.status().receivedPosition());
      return null;
    });
    PipeHarness.Peer second = h.accept(4, replies);
    assertEquals(StatusReply.success(new ResumePoint(2, ResumePoint.check(ByteString.fromString("xy")),
        defaultLimits())), replies.receiveMessage());
    first.awaitTerminated();
    assertEquals("ef", second.receiveData(2).utf8String());
    PipeEvent.Disconnected taken = h.awaitEvent(PipeEvent.Disconnected.class);
    assertEquals(DisconnectCause.TAKEN_OVER, taken.cause());
  }

  @Test
  void shouldCompleteThePeersStreamAfterTheLastByteWhenTheSinkCompletes() throws Exception {
    PipeHarness h = retrying();
    PipeHarness.Peer peer = h.connected(0);
    CompletionStage<Done> written = write(h, "last", " words");
    assertEquals("last words", peer.receiveData(10).utf8String());
    assertEquals(new Frame.EndOfStream(10), peer.frames().receiveMessage());
    assertFalse(written.toCompletableFuture().isDone(), "done before the peer acknowledged it");
    peer.end().send(new Frame.Ack(10));
    written.toCompletableFuture().get(5, TimeUnit.SECONDS);
    CompletionStage<Done> more = write(h, "more");
    ExecutionException error = assertThrows(ExecutionException.class,
        () -> more.toCompletableFuture().get(5, TimeUnit.SECONDS));
    assertEquals("output ended: endPosition=10", error.getCause().getMessage());
  }

  @Test
  void shouldCompleteTheSourceAtThePeersEndOfStream() throws Exception {
    PipeHarness h = retrying();
    PipeHarness.Peer peer = h.connected(0);
    CompletionStage<List<ByteString>> read =
        PipeStreams.source(h.pipe).runWith(Sink.seq(), testKit.system());
    peer.send("bye");
    peer.end().send(new Frame.EndOfStream(3));
    assertEquals("bye", read.toCompletableFuture().get(5, TimeUnit.SECONDS).stream()
        .reduce(ByteString.emptyByteString(), ByteString::concat).utf8String());
  }

  @Test
  void shouldRefuseASecondSourceWhileOneIsOpen() {
    PipeHarness h = retrying();
    // Both open at once: which one the pipe sees first is the streams' business (each Source
    // registers from its own stream's actor), and the other one must be refused.
    CompletableFuture<Done> first = PipeStreams.source(h.pipe).runWith(Sink.ignore(),
        testKit.system()).toCompletableFuture();
    CompletableFuture<Done> second = PipeStreams.source(h.pipe).runWith(Sink.ignore(),
        testKit.system()).toCompletableFuture();
    ExecutionException error = assertThrows(ExecutionException.class,
        () -> CompletableFuture.anyOf(first, second).get(5, TimeUnit.SECONDS));
    assertInstanceOf(SourceAlreadyOpenException.class, error.getCause());
    assertEquals("source already open: readers=1", error.getCause().getMessage());
    h.status(); // the pipe went on: the Source it took is still open
    assertTrue(first.isDone() != second.isDone(), "exactly one Source was refused");
  }

  /**
   * Regression: frames of a connection that the writer then refused were read before the refusal:
   * its data was counted and its acks released the window, splicing a foreign history.
   */
  @Test
  void shouldCountNothingFromAnAcceptedConnectionThatIsRefused() {
    PipeHarness h = PipeHarness.accepting(testKit,
        PipeHarness.settings(testKit, ReconnectPolicy.singleAttempt()));
    TestProbe<StatusReply<ResumePoint>> replies = testKit.createTestProbe();
    PipeHarness.Peer first = h.accept(0, replies);
    assertTrue(replies.receiveMessage().isSuccess());
    write(h, "0123456789");
    first.receiveData(10);
    first.link().cut();
    h.awaitEvent(PipeEvent.Disconnected.class);
    PipeHarness.Peer bogus = h.newPeer(-1);
    bogus.end().send(new Frame.Ack(10));
    bogus.send("FOREIGN");
    h.pipe.tell(new PipeCommand.Accept(bogus.link().connectionA(99), replies.ref()));
    assertTrue(replies.receiveMessage().isError());
    assertEquals(0, h.status().receivedPosition());
    assertEquals(0, h.status().ackedPosition());
    PipeHarness.Peer real = h.accept(0, replies);
    assertEquals(StatusReply.success(new ResumePoint(0, 0, defaultLimits())), replies.receiveMessage());
    assertEquals("0123456789", real.receiveData(10).utf8String());
  }

  /**
   * Regression: the Source asked one delivery ahead, and the bytes of that delivery were lost when
   * it stopped, though the reader had counted and acknowledged them.
   */
  @Test
  void shouldGiveTheNextSourceEveryByteTheLastOneDidNotTake() throws Exception {
    PipeHarness h = retrying();
    PipeHarness.Peer peer = h.connected(0);
    CompletionStage<List<ByteString>> first =
        PipeStreams.source(h.pipe).take(1).runWith(Sink.seq(), testKit.system());
    peer.send("abc");
    assertEquals(List.of(ByteString.fromString("abc")),
        first.toCompletableFuture().get(5, TimeUnit.SECONDS));
    peer.send("def");
    CompletionStage<List<ByteString>> second =
        PipeStreams.source(h.pipe).take(1).runWith(Sink.seq(), testKit.system());
    assertEquals(List.of(ByteString.fromString("def")),
        second.toCompletableFuture().get(5, TimeUnit.SECONDS));
  }

  /**
   * Regression (and the seed's "a failed write reconnects, replays, and the writer sees success"):
   * a connection whose write side died while its read side stayed open went unnoticed.
   */
  @Test
  void shouldReconnectAndReplayWhenOnlyTheWriteSideOfAConnectionDies() throws Exception {
    PipeHarness h = retrying();
    TestProbe<StatusReply<Done>> replies = h.connect();
    ProbeReconnectorAnswer.withDeadWriteSide(h);
    assertTrue(replies.receiveMessage().isSuccess());
    CompletionStage<Done> written = write(h, "survives");
    PipeHarness.Peer second = h.answerDial(0);
    assertEquals("survives", second.receiveData(8).utf8String());
    second.end().send(new Frame.Ack(8));
    written.toCompletableFuture().get(5, TimeUnit.SECONDS);
    PipeEvent.Disconnected lost = h.awaitEvent(PipeEvent.Disconnected.class);
    assertEquals(DisconnectCause.LINK_FAILED, lost.cause());
    assertEquals("connection stopped taking frames", lost.error().orElseThrow().getMessage());
  }

  @Test
  void shouldReplayFromThePeersPositionAfterAPartialReplay() {
    PipeSettings settings = PipeSettings.create(testKit.system())
        .withReconnect(PipeHarness.fastRetries()).withMaxFrameBytes(4);
    PipeHarness h = PipeHarness.dialing(testKit, settings);
    write(h, "0123456789");
    awaitWritePosition(h, 10);
    PipeHarness.Peer first = h.connected(0);
    assertEquals("0123", first.receiveData(4).utf8String());
    first.link().cut();
    PipeHarness.Peer second = h.answerDial(2);
    assertEquals("23456789", second.receiveData(8).utf8String());
  }

  /** What a pipe with the default settings tells its peers. */
  private static io.backedpipe.wire.LinkLimits defaultLimits() {
    return PipeSettings.create(testKit.system()).linkLimits();
  }
}
