package io.backedpipe.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.GraphDSL;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.scaladsl.Framing.FramingException;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The frame layer as a stream stage, with no socket: plugged into its own mirror, fed re-chunked
 * bytes, and fed broken headers. Framing failures surface as they are, not converted.
 */
class WireProtocolTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  private static final int MAX_DATA = 4096;
  private static final FrameCodec CODEC = new FrameCodec(MAX_DATA);

  /** Every await is bounded; a stream that should fail early must not wait for more input. */
  private static final Duration TIMEOUT = Duration.ofSeconds(5);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** The inbound side of {@link WireProtocol#frames} alone: bytes in, frames out. */
  private static Flow<ByteString, Frame, NotUsed> decoding(int maxDataBytes) {
    return decoding(WireProtocol.frames(maxDataBytes));
  }

  /** The inbound side of {@code frames} alone. */
  private static Flow<ByteString, Frame, NotUsed> decoding(
      BidiFlow<Frame, ByteString, ByteString, Frame, NotUsed> frames) {
    return Flow.fromGraph(
        GraphDSL.create(
            b -> {
              BidiShape<Frame, ByteString, ByteString, Frame> wire = b.add(frames);
              b.from(b.add(Source.<Frame>empty())).toInlet(wire.in1());
              b.from(wire.out1()).to(b.add(Sink.<ByteString>ignore()));
              return FlowShape.of(wire.in2(), wire.out2());
            }));
  }

  private static CompletionStage<List<Frame>> decode(List<ByteString> chunks) {
    return Source.from(chunks).via(decoding(MAX_DATA)).runWith(Sink.seq(), testKit.system());
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT.toMillis(), TimeUnit.MILLISECONDS);
  }

  private static Throwable failure(CompletionStage<?> stage) {
    ExecutionException e = assertThrows(ExecutionException.class, () -> await(stage));
    return e.getCause();
  }

  private static ByteString header(int typeCode, int length) {
    return new ByteStringBuilder()
        .putByte((byte) typeCode)
        .putInt(length, ByteOrder.BIG_ENDIAN)
        .result();
  }

  private static ByteString encodeAll(List<Frame> frames) {
    ByteStringBuilder bytes = new ByteStringBuilder();
    frames.forEach(frame -> bytes.append(CODEC.encode(frame)));
    return bytes.result();
  }

  /** Cuts {@code bytes} into chunks of 1..maxChunk bytes at random boundaries. */
  private static List<ByteString> chunk(ByteString bytes, Random random, int maxChunk) {
    List<ByteString> chunks = new ArrayList<>();
    ByteString rest = bytes;
    while (!rest.isEmpty()) {
      int size = Math.min(rest.size(), 1 + random.nextInt(maxChunk));
      chunks.add(rest.take(size));
      rest = rest.drop(size);
    }
    return chunks;
  }

  @Test
  void shouldDeliverEveryFrameTypeThroughItsOwnMirror() throws Exception {
    BidiFlow<Frame, ByteString, ByteString, Frame, NotUsed> frames = WireProtocol.frames(MAX_DATA);
    Flow<Frame, Frame, NotUsed> mirrored = frames.atop(frames.reversed()).join(Flow.create());
    List<Frame> sent = RandomFrames.sequence(new Random(42), 100, MAX_DATA);

    List<Frame> received =
        await(Source.from(sent).via(mirrored).runWith(Sink.seq(), testKit.system()));

    assertEquals(sent, received);
  }

  @ParameterizedTest
  @CsvSource({
    "1, 1",
    "2, 1",
    "3, 2",
    "4, 5",
    "5, 8",
    "6, 64",
    "7, 300",
    "8, 1031",
    "9, 5000",
    "10, 100000",
    "11, 3",
    "12, 17",
  })
  void shouldDecodeFramesCutAtAnyByteBoundary(long seed, int maxChunk) throws Exception {
    Random random = new Random(seed);
    List<Frame> sent = RandomFrames.sequence(random, 60, MAX_DATA);
    List<ByteString> chunks = chunk(encodeAll(sent), random, maxChunk);

    List<Frame> received = await(decode(chunks));

    // DATA payloads may arrive in parts; the bytes and every other frame must be exactly the same
    List<Frame> expected = joinData(sent);
    List<Frame> actual = joinData(received);
    assertEquals(expected.size(), actual.size(), "seed=" + seed + " maxChunk=" + maxChunk);
    for (int i = 0; i < expected.size(); i++) {
      assertEquals(
          expected.get(i), actual.get(i), "seed=" + seed + " maxChunk=" + maxChunk + " i=" + i);
    }
  }

  /** A DATA payload goes on as its bytes arrive: a slow link never waits for a whole frame. */
  @Test
  void shouldHandOnTheArrivedPartOfADataFrameBeforeTheRestComes() throws Exception {
    ByteString payload = ByteString.fromArray(new byte[3000]).concat(ByteString.fromString("end"));
    ByteString frame = CODEC.encode(new Frame.Data(payload));
    // the first 1000 payload bytes arrive, then nothing: the rest is still on its way
    CompletionStage<List<Frame>> firstPart = Source.single(frame.take(FrameCodec.HEADER_BYTES + 1000))
        .concat(Source.never())
        .via(decoding(MAX_DATA))
        .take(1)
        .runWith(Sink.seq(), testKit.system());

    assertEquals(List.of(new Frame.Data(payload.take(1000))), await(firstPart));
  }

  @Test
  void shouldRefuseAnOversizedControlFrameFromItsHeaderAlone() {
    // the header says a CLOSE of 1,027 payload bytes: refused before any payload is buffered
    CompletionStage<List<Frame>> decoded = Source.single(header(FrameType.CLOSE.code(), 1027))
        .concat(Source.never())
        .via(decoding(MAX_DATA))
        .runWith(Sink.seq(), testKit.system());

    Throwable e = failure(decoded);
    MalformedFrameException malformed = assertInstanceOf(MalformedFrameException.class, e);
    assertEquals(ErrorCode.PROTOCOL_VIOLATION, malformed.code());
  }

  /** A server's decoder before the handshake: only a HELLO may come first. */
  private static CompletionStage<List<Frame>> decodeExpectingHello(ByteString bytes) {
    return Source.single(bytes)
        .concat(Source.never()) // nothing more comes: a refusal must come from these bytes
        .via(decoding(WireProtocol.frames(MAX_DATA, FrameType.HELLO)))
        .runWith(Sink.seq(), testKit.system());
  }

  private static Frame.Hello hello(int proofBytes) {
    return new Frame.Hello(FrameCodec.PROTOCOL_VERSION, java.util.UUID.randomUUID(), true, 0, 0,
        ByteString.fromArray(new byte[Frame.Hello.NONCE_BYTES]),
        ByteString.fromArray(new byte[proofBytes]));
  }

  @ParameterizedTest
  @CsvSource({
      "DATA, 4096", // the largest DATA frame of this codec before the handshake
      "DATA, 1",
      "PING, 8",
      "CLOSE, 2",
      "CHALLENGE, 22",
      "WELCOME, 40",
  })
  void shouldRefuseAFirstFrameOtherThanHelloFromItsHeaderAlone(FrameType type, int length) {
    Throwable e = failure(decodeExpectingHello(header(type.code(), length)));

    MalformedFrameException malformed = assertInstanceOf(MalformedFrameException.class, e);
    assertEquals(ErrorCode.PROTOCOL_VIOLATION, malformed.code());
    assertEquals("code=PROTOCOL_VIOLATION type=" + type + " expected=HELLO first got=" + type,
        malformed.getMessage());
  }

  @Test
  void shouldRefuseAFirstHelloLongerThanTheLargestHelloFromItsHeaderAlone() {
    int largest = CODEC.encode(hello(Frame.Hello.MAX_PROOF_BYTES)).size() - FrameCodec.HEADER_BYTES;

    Throwable e = failure(decodeExpectingHello(header(FrameType.HELLO.code(), largest + 1)));

    assertEquals(ErrorCode.PROTOCOL_VIOLATION,
        assertInstanceOf(MalformedFrameException.class, e).code());
  }

  @Test
  void shouldPassAnyFrameAfterTheFirstHello() throws Exception {
    Frame.Hello first = hello(Frame.Hello.MAX_PROOF_BYTES);
    Frame data = new Frame.Data(ByteString.fromString("after the handshake"));
    CompletionStage<List<Frame>> decoded = Source.single(encodeAll(List.of(first, data)))
        .via(decoding(WireProtocol.frames(MAX_DATA, FrameType.HELLO)))
        .runWith(Sink.seq(), testKit.system());

    assertEquals(List.of(first, data), await(decoded));
  }

  /** Joins adjacent DATA frames: the same bytes, however they were cut. */
  private static List<Frame> joinData(List<Frame> frames) {
    List<Frame> joined = new ArrayList<>();
    for (Frame frame : frames) {
      int last = joined.size() - 1;
      if (frame instanceof Frame.Data data && last >= 0 && joined.get(last) instanceof Frame.Data d) {
        joined.set(last, new Frame.Data(d.payload().concat(data.payload())));
      } else {
        joined.add(frame);
      }
    }
    return joined;
  }

  @Test
  void shouldCompleteWhenTheStreamEndsBetweenFrames() throws Exception {
    assertEquals(List.of(), await(decode(List.of())));
    List<Frame> sent = List.of(new Frame.Ack(1), new Frame.Ping(2));
    assertEquals(sent, await(decode(List.of(encodeAll(sent)))));
  }

  @ParameterizedTest
  @ValueSource(ints = {1, 4, 5, 6, 9})
  void shouldFailWhenTheStreamEndsInsideAFrame(int bytesOfLastFrame) {
    ByteString whole = encodeAll(List.of(new Frame.Ack(1), new Frame.Close(7, "bye")));
    ByteString cut = whole.take(13 + bytesOfLastFrame);

    Throwable e = failure(decode(chunk(cut, new Random(bytesOfLastFrame), 4)));

    assertInstanceOf(FramingException.class, e);
    assertEquals(
        "Stream finished but there was a truncated final frame in the buffer", e.getMessage());
  }

  /** The header alone arrives and the upstream stays open: the stage must fail without waiting. */
  @ParameterizedTest
  @CsvSource({
    "4097, Maximum allowed frame size is 4101 but decoded frame header reported size 4102",
    "2147483642, Maximum allowed frame size is 4101 but decoded frame header reported size "
        + "2147483647",
    "-2147483648, Decoded frame header reported negative size -2147483648",
    "-1, Decoded frame header reported negative size -1",
    "2147483643, Computed frame size -2147483648 is less than minimum chunk size 5",
    "2147483647, Computed frame size -2147483644 is less than minimum chunk size 5",
  })
  void shouldFailOnAnOversizedHeaderBeforeThePayloadArrives(int length, String message) {
    CompletionStage<List<Frame>> result =
        Source.single(header(FrameType.DATA.code(), length))
            .concat(Source.never())
            .via(decoding(MAX_DATA))
            .runWith(Sink.seq(), testKit.system());

    Throwable e = failure(result);

    assertInstanceOf(FramingException.class, e);
    assertEquals(message, e.getMessage());
  }

  @Test
  void shouldAcceptAFrameOfExactlyTheMaximumFrameBytes() throws Exception {
    Frame.Data largest = new Frame.Data(ByteString.fromArrayUnsafe(new byte[MAX_DATA]));
    assertEquals(FrameCodec.maxFrameBytes(MAX_DATA), CODEC.encode(largest).size());

    assertEquals(List.of(largest),
        joinData(await(decode(chunk(CODEC.encode(largest), new Random(1), 999)))));
  }

  @Test
  void shouldFailWithTheCodecsErrorForAWellFramedBadFrame() {
    ByteString ackOfNine =
        header(FrameType.ACK.code(), 9).concat(ByteString.fromArrayUnsafe(new byte[9]));

    Throwable e = failure(decode(List.of(encodeAll(List.of(new Frame.Ping(1))), ackOfNine)));

    MalformedFrameException malformed = assertInstanceOf(MalformedFrameException.class, e);
    assertEquals(ErrorCode.PROTOCOL_VIOLATION, malformed.code());
    assertEquals("code=PROTOCOL_VIOLATION type=ACK length=9 must be 8", e.getMessage());
  }

  @Test
  void shouldLetControlFramesExceedASmallDataLimit() throws Exception {
    Frame close = new Frame.Close(1, "r".repeat(Frame.Close.MAX_REASON_BYTES));
    ByteString dataOfSeventeen =
        header(FrameType.DATA.code(), 17).concat(ByteString.fromArrayUnsafe(new byte[17]));
    FrameCodec small = new FrameCodec(16);

    List<Frame> received =
        await(
            Source.single(small.encode(close))
                .via(decoding(16))
                .runWith(Sink.seq(), testKit.system()));
    Throwable e =
        failure(
            Source.single(dataOfSeventeen).via(decoding(16)).runWith(Sink.seq(), testKit.system()));

    assertEquals(List.of(close), received);
    assertEquals("code=FRAME_TOO_LARGE type=DATA length=17 must be <= 16", e.getMessage());
  }

  @Test
  void shouldFailTheOutboundSideForDataAboveTheLimit() {
    BidiFlow<Frame, ByteString, ByteString, Frame, NotUsed> frames = WireProtocol.frames(16);
    Flow<Frame, Frame, NotUsed> mirrored = frames.atop(frames.reversed()).join(Flow.create());
    Frame tooLarge = new Frame.Data(ByteString.fromArrayUnsafe(new byte[17]));

    Throwable e =
        failure(Source.single(tooLarge).via(mirrored).runWith(Sink.seq(), testKit.system()));

    assertInstanceOf(IllegalArgumentException.class, e);
    assertEquals("length=17 must be in [0,16]: type=DATA", e.getMessage());
  }

  /** The layer between two queues (frames to send, bytes received) and two probes. */
  private static final class Wired {
    final org.apache.pekko.actor.testkit.typed.javadsl.TestProbe<ByteString> sent =
        testKit.createTestProbe();
    final org.apache.pekko.actor.testkit.typed.javadsl.TestProbe<Frame> received =
        testKit.createTestProbe();
    final org.apache.pekko.stream.BoundedSourceQueue<Frame> toSend;
    final org.apache.pekko.stream.BoundedSourceQueue<ByteString> toReceive;
    final CompletionStage<org.apache.pekko.Done> sentDone;
    final CompletionStage<org.apache.pekko.Done> receivedDone;

    Wired(int maxDataBytes) {
      var wire = Flow.fromSinkAndSourceMat(Sink.<ByteString>foreach(sent.ref()::tell),
          Source.<ByteString>queue(8), org.apache.pekko.stream.javadsl.Keep.both());
      var run = Source.<Frame>queue(8)
          .viaMat(WireProtocol.frames(maxDataBytes).join(wire,
              org.apache.pekko.stream.javadsl.Keep.right()),
              org.apache.pekko.stream.javadsl.Keep.both())
          .toMat(Sink.<Frame>foreach(received.ref()::tell),
              org.apache.pekko.stream.javadsl.Keep.both())
          .run(testKit.system());
      toSend = run.first().first();
      sentDone = run.first().second().first();
      toReceive = run.first().second().second();
      receivedDone = run.second();
    }
  }

  @Test
  void shouldKeepTheWayOutWhenThePeerEndsItsSide() throws Exception {
    Wired w = new Wired(MAX_DATA);
    w.toReceive.offer(CODEC.encode(new Frame.Ack(1)));
    w.toReceive.complete();
    w.received.expectMessage(new Frame.Ack(1));
    await(w.receivedDone);
    w.toSend.offer(new Frame.Ack(2));
    w.sent.expectMessage(CODEC.encode(new Frame.Ack(2)));
    w.toSend.complete();
    await(w.sentDone);
  }

  @Test
  void shouldKeepTheWayOutWhenAFrameReceivedIsMalformed() {
    Wired w = new Wired(MAX_DATA);
    w.toReceive.offer(CODEC.encode(new Frame.Ack(1)).concat(header(0xEE, 0)));
    w.received.expectMessage(new Frame.Ack(1)); // the frame before it is valid
    assertInstanceOf(MalformedFrameException.class, failure(w.receivedDone));
    w.toSend.offer(new Frame.Ack(2));
    w.sent.expectMessage(CODEC.encode(new Frame.Ack(2)));
  }

  @Test
  void shouldKeepTheWayInWhenAFrameToSendCannotBeEncoded() throws Exception {
    Wired w = new Wired(16);
    w.toSend.offer(new Frame.Data(ByteString.fromArrayUnsafe(new byte[17])));
    assertInstanceOf(IllegalArgumentException.class, failure(w.sentDone));
    w.toReceive.offer(CODEC.encode(new Frame.Ack(3)));
    w.received.expectMessage(new Frame.Ack(3));
    w.toReceive.complete();
    await(w.receivedDone);
  }

  @Test
  void shouldFailOnlyTheWayInOnATruncatedFinalFrame() throws Exception {
    Wired w = new Wired(MAX_DATA);
    ByteString ack = CODEC.encode(new Frame.Ack(1));
    w.toReceive.offer(ack.concat(ack.take(7)));
    w.toReceive.complete();
    w.received.expectMessage(new Frame.Ack(1));
    assertInstanceOf(FramingException.class, failure(w.receivedDone));
    w.toSend.offer(new Frame.Ack(2));
    w.sent.expectMessage(CODEC.encode(new Frame.Ack(2)));
    w.toSend.complete();
    await(w.sentDone);
  }
}
