package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.server.PipeRegistry;
import io.backedpipe.server.PipeServer;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import io.backedpipe.wire.HandshakeStatus;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.StreamTcpException;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.SinkQueueWithCancel;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Raw TCP clients that break the protocol: each gets its connection closed (a WELCOME with the
 * reason where the handshake got that far; a reset otherwise, which may come before the CHALLENGE
 * was flushed), creates no pipe, and a well-behaved client on the same server keeps working.
 */
class HostileClientIT {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final FrameCodec CODEC = new FrameCodec(256 * 1024);
  private static final ByteString NONCE = ByteString.fromString("client nonce 16b");
  private static PipeServer server;
  private static BackedPipe good;
  /** The good client's one writer and one reader: a pipe has one of each at a time. */
  private static BoundedSourceQueue<ByteString> goodOut;
  private static SinkQueueWithCancel<ByteString> goodIn;

  @BeforeAll
  static void start() throws Exception {
    TransportSettings transport = TransportSettings.create(testKit.system())
        .withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(2));
    PipeSettings pipeSettings = PipeSettings.create(testKit.system())
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(100)));
    server = PipeServer.bind(testKit.system(), "127.0.0.1", 0,
            ServerSettings.create(testKit.system()), pipeSettings, transport,
            (id, pipe) -> pipe.source().runWith(pipe.sink(), testKit.system()))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    good = BackedPipe.of(testKit.spawn(BackedPipe.create(new TcpReconnector(testKit.system(),
        server.address(), UUID.randomUUID(), true, transport), pipeSettings)), testKit.system());
    good.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
    goodOut = Source.<ByteString>queue(16).to(good.sink()).run(testKit.system());
    goodIn = good.source().runWith(Sink.queue(), testKit.system());
  }

  /** The good client sends {@code sent} and reads the echo back. */
  private static void assertEchoes(ByteString sent) throws Exception {
    goodOut.offer(sent);
    ByteString back = ByteString.emptyByteString();
    while (back.size() < sent.size()) {
      back = back.concat(goodIn.pull().toCompletableFuture().get(10, TimeUnit.SECONDS).get());
    }
    assertEquals(sent, back);
  }

  @AfterAll
  static void shutdown() throws Exception {
    server.unbind().toCompletableFuture().get(5, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }

  /** Sends {@code bytes} (then keeps its side open) and returns what the server sent until it closed. */
  private static List<Frame> exchange(ByteString bytes) throws Exception {
    CompletionStage<ByteString> reply = Source.single(bytes).concat(Source.never())
        .via(Tcp.get(testKit.system()).outgoingConnection(
            server.address().getHostString(), server.address().getPort()))
        .recover(StreamTcpException.class, ByteString::emptyByteString) // a reset also closes
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), testKit.system());
    return frames(reply.toCompletableFuture().get(10, TimeUnit.SECONDS));
  }

  private static List<Frame> frames(ByteString bytes) {
    List<Frame> frames = new ArrayList<>();
    ByteString rest = bytes;
    while (rest.size() >= FrameCodec.HEADER_BYTES) {
      int length = rest.slice(1, 5).asByteBuffer().order(ByteOrder.BIG_ENDIAN).getInt();
      int size = FrameCodec.HEADER_BYTES + length;
      frames.add(CODEC.decode(rest.take(size)));
      rest = rest.drop(size);
    }
    return frames;
  }

  private static Frame.Hello hello(int version) {
    return new Frame.Hello(version, UUID.randomUUID(), true, 0, 0, NONCE,
        ByteString.emptyByteString());
  }

  private static int pipes() {
    TestProbe<Integer> count = testKit.createTestProbe();
    server.registry().tell(new PipeRegistry.CountPipes(count.ref()));
    return count.receiveMessage();
  }

  /** The good client still echoes, and the bad connection created no pipe. */
  private static void assertServerUnharmed(int pipesBefore) throws Exception {
    assertEchoes(ByteString.fromString("still fine " + UUID.randomUUID()));
    assertEquals(pipesBefore, pipes());
  }

  @Test
  void shouldCloseAConnectionWithTheWrongMagic() throws Exception {
    int before = pipes();
    ByteString hello = CODEC.encode(hello(TcpReconnector.VERSION));
    ByteString bad = hello.take(5).concat(ByteString.fromString("XXXX")).concat(hello.drop(9));
    List<Frame> got = exchange(bad);
    assertTrue(got.size() <= 1, "at most the CHALLENGE: " + got);
    assertServerUnharmed(before);
  }

  @Test
  void shouldAnswerAnUnsupportedVersionAndClose() throws Exception {
    int before = pipes();
    // version 1, whose HELLO had no limits, and a version from the future
    for (int version : new int[] {1, TcpReconnector.VERSION + 1}) {
      List<Frame> got = exchange(CODEC.encode(hello(version)));
      assertEquals(2, got.size(), got.toString());
      Frame.Welcome welcome = assertInstanceOf(Frame.Welcome.class, got.get(1));
      assertEquals(HandshakeStatus.VERSION_UNSUPPORTED, welcome.status());
      assertEquals("supported=2", welcome.detail());
    }
    assertServerUnharmed(before);
  }

  @Test
  void shouldCloseAConnectionWhoseHandshakeIsTruncated() throws Exception {
    int before = pipes();
    ByteString half = CODEC.encode(hello(TcpReconnector.VERSION)).take(20);
    CompletionStage<ByteString> reply = Source.single(half) // then our side ends
        .via(Tcp.get(testKit.system()).outgoingConnection(
            server.address().getHostString(), server.address().getPort()))
        .recover(StreamTcpException.class, ByteString::emptyByteString)
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), testKit.system());
    List<Frame> got = frames(reply.toCompletableFuture().get(10, TimeUnit.SECONDS));
    assertTrue(got.size() <= 1, got.toString());
    assertServerUnharmed(before);
  }

  @Test
  void shouldCloseAConnectionThatAnnouncesAnOversizedFrame() throws Exception {
    int before = pipes();
    ByteString header = new ByteStringBuilder()
        .putByte((byte) 0x01).putInt(0x7FFFFFF0, ByteOrder.BIG_ENDIAN).result();
    List<Frame> got = exchange(header); // returns once the server closed the connection
    assertTrue(got.size() <= 1, got.toString());
    assertServerUnharmed(before);
  }

  @Test
  void shouldCloseAConnectionThatSendsAnUnknownFrameType() throws Exception {
    int before = pipes();
    ByteString unknown = new ByteStringBuilder()
        .putByte((byte) 0x7F).putInt(3, ByteOrder.BIG_ENDIAN).putBytes(new byte[3]).result();
    assertTrue(exchange(unknown).size() <= 1);
    assertServerUnharmed(before);
  }

  @Test
  void shouldCloseAConnectionThatSendsADataFrameInsteadOfHello() throws Exception {
    int before = pipes();
    List<Frame> got = exchange(CODEC.encode(new Frame.Data(ByteString.fromString("early"))));
    assertTrue(got.size() <= 1, got.toString());
    assertServerUnharmed(before);
  }

  @Test
  void shouldDropAConnectionThatSendsGarbageAfterAValidHandshake() throws Exception {
    Frame.Hello hello = new Frame.Hello(TcpReconnector.VERSION, UUID.randomUUID(), true, 0, 0,
        NONCE, ByteString.emptyByteString());
    List<Frame> got = exchange(CODEC.encode(hello).concat(ByteString.fromString("garbage!")));
    assertTrue(got.size() <= 2, got.toString()); // closed, after the WELCOME at most
    assertEchoes(ByteString.fromString("still fine"));
  }
}
