package io.backedpipe.tunnel.mux;

import java.io.IOException;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A stream's sender: its OPEN first (when it opens the stream), its bytes as DATA frames as far
 * as the credit goes, in slices, then EOF; a RESET instead of the rest when its connection fails;
 * nothing more once stopped; and its end told once.
 */
class StreamSenderTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final int STREAM = 7;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static ByteString bytes(int n) {
    return ByteString.fromArrayUnsafe(new byte[n]);
  }

  /** "OPEN", "DATA n" (n payload bytes), "EOF" or "RESET"; each must be of stream 7. */
  private static String describe(ByteString frame) {
    java.nio.ByteBuffer header = frame.take(MuxCodec.HEADER_BYTES).asByteBuffer()
        .order(ByteOrder.BIG_ENDIAN);
    int type = header.get();
    int stream = header.getInt();
    int length = header.getInt();
    if (stream != STREAM || frame.size() != MuxCodec.HEADER_BYTES + length) {
      return "malformed " + frame;
    }
    return type == MuxCodec.DATA ? "DATA " + length : MuxCodec.typeName(type);
  }

  /** Tells "ended" each time the sender says it stopped. */
  private static final class Ends {
    final TestProbe<Object> probe = testKit.createTestProbe();

    void expectOnce() {
      probe.expectMessage("ended");
      probe.expectNoMessage(java.time.Duration.ofMillis(50));
    }
  }

  private Ends ends;

  /**
   * Runs {@code source} through a sender; each frame's description, then "done" when the output
   * completes, go to the probe, and the sender's end to {@link #ends} (it stops as it pushes its
   * last frame, so its end may come before that frame is taken).
   */
  private StreamSender.Control run(Source<ByteString, ?> source, boolean opens,
      long credit, int maxChunk, TestProbe<Object> probe) {
    ends = new Ends();
    StreamSender sender = new StreamSender(STREAM, opens, credit, maxChunk,
        error -> MuxCodec.encode(new MuxFrame.Reset(STREAM, 3, error.getMessage())),
        () -> ends.probe.ref().tell("ended"));
    Pair<StreamSender.Control, CompletionStage<Done>> run = source
        .viaMat(sender, Keep.right())
        .toMat(Sink.foreach(frame -> probe.ref().tell(describe(frame))), Keep.both())
        .run(testKit.system());
    run.second().thenRun(() -> probe.ref().tell("done"));
    return run.first();
  }

  private void expectEnd(TestProbe<Object> probe) {
    probe.expectMessage("done");
    ends.expectOnce();
  }

  @Test
  void shouldOpenThenLetThroughOnlyTheCreditThenTheRestAsItIsGrantedThenEnd() {
    TestProbe<Object> probe = testKit.createTestProbe();
    StreamSender.Control control =
        run(Source.from(List.of(bytes(10), bytes(25))), true, 16, 1024, probe);
    probe.expectMessage("OPEN");
    probe.expectMessage("DATA 10");
    probe.expectMessage("DATA 6"); // the credit ends inside the second element
    probe.expectNoMessage();
    control.grant(5);
    probe.expectMessage("DATA 5");
    probe.expectNoMessage(); // no EOF while bytes are held back
    control.grant(100);
    probe.expectMessage("DATA 14");
    probe.expectMessage("EOF");
    expectEnd(probe);
  }

  @Test
  void shouldCutElementsAtTheLargestChunkAndSendNoOpenOnTheAnsweringSide() {
    TestProbe<Object> probe = testKit.createTestProbe();
    run(Source.single(bytes(10)), false, 100, 4, probe);
    probe.expectMessage("DATA 4");
    probe.expectMessage("DATA 4");
    probe.expectMessage("DATA 2");
    probe.expectMessage("EOF");
    expectEnd(probe);
  }

  @Test
  void shouldSendTheResetInsteadOfWhatWasHeldBackWhenTheConnectionFails() {
    TestProbe<Object> probe = testKit.createTestProbe();
    java.util.concurrent.CompletableFuture<org.apache.pekko.stream.UniqueKillSwitch> connection =
        new java.util.concurrent.CompletableFuture<>();
    run(Source.single(bytes(10)).concat(Source.never())
        .viaMat(org.apache.pekko.stream.KillSwitches.single(), Keep.right())
        .mapMaterializedValue(connection::complete), false, 4, 1024, probe);
    probe.expectMessage("DATA 4");
    // the connection fails while 6 bytes wait for credit, and without demand, as a TCP one does
    connection.join().abort(new IOException("reset by peer"));
    probe.expectMessage("RESET"); // the 6 bytes beyond the credit are not sent, nor an EOF
    expectEnd(probe);
  }

  /**
   * A stop while a frame waits for demand (here the OPEN and then the EOF of an empty stream, the
   * downstream taking one frame and then holding it) drops that frame: a reset stream's peer must
   * not get an EOF after the RESET.
   */
  @Test
  void shouldDropAFrameWaitingForDemandWhenStopped() {
    TestProbe<Object> probe = testKit.createTestProbe();
    ends = new Ends();
    java.util.concurrent.CompletableFuture<Boolean> taking =
        new java.util.concurrent.CompletableFuture<>();
    StreamSender.Control control = Source.<ByteString>empty()
        .viaMat(new StreamSender(STREAM, true, 100, 1024, error -> ByteString.emptyByteString(),
            () -> ends.probe.ref().tell("ended")), Keep.right())
        .mapAsync(1, frame -> taking.thenApply(go -> frame)) // takes the OPEN, then holds it
        .to(Sink.foreach(frame -> probe.ref().tell(describe(frame))))
        .run(testKit.system());
    probe.expectNoMessage(); // the OPEN waits in the mapAsync, the EOF in the sender
    control.stop();
    ends.expectOnce();
    taking.complete(true);
    probe.expectMessage("OPEN");
    probe.expectNoMessage(); // no EOF
  }

  @Test
  void shouldSendNothingMoreOnceStopped() {
    TestProbe<Object> probe = testKit.createTestProbe();
    StreamSender.Control control =
        run(Source.single(bytes(10)).concat(Source.never()), true, 4, 1024, probe);
    probe.expectMessage("OPEN");
    probe.expectMessage("DATA 4");
    control.stop();
    expectEnd(probe); // no EOF, no RESET, and the held bytes stay unsent
    control.grant(100); // a grant after the end changes nothing
    probe.expectNoMessage();
  }
}
