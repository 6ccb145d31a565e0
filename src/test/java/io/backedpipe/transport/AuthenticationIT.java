package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.BackedPipe;
import io.backedpipe.DisconnectCause;
import io.backedpipe.HandshakeRefusedException;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.server.PipeRegistry;
import io.backedpipe.server.PipeServer;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import io.backedpipe.wire.HandshakeStatus;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** A server with a shared secret: only clients that prove it get a stream; nothing replays. */
class AuthenticationIT {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final FrameCodec CODEC = new FrameCodec(256 * 1024);
  private static final SharedSecret SECRET =
      SharedSecret.of("the server's secret, 32+ bytes long".getBytes(StandardCharsets.UTF_8));
  private static TransportSettings transport;
  private static PipeSettings pipeSettings;
  private static PipeServer server;

  @BeforeAll
  static void start() throws Exception {
    transport = TransportSettings.create(testKit.system()).withSecret(SECRET);
    pipeSettings = PipeSettings.create(testKit.system())
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(100)));
    server = PipeServer.bind(testKit.system(), "127.0.0.1", 0,
            ServerSettings.create(testKit.system()), pipeSettings, transport,
            (id, pipe) -> pipe.source().runWith(pipe.sink(), testKit.system()))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @AfterAll
  static void shutdown() throws Exception {
    server.unbind().toCompletableFuture().get(5, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }

  private static BackedPipe client(TransportSettings settings, TestProbe<PipeEvent> events) {
    BackedPipe pipe = BackedPipe.of(testKit.spawn(BackedPipe.create(new TcpReconnector(
        testKit.system(), server.address(), UUID.randomUUID(), true, settings), pipeSettings)),
        testKit.system());
    pipe.subscribe(events.ref());
    return pipe;
  }

  private static int pipes() {
    TestProbe<Integer> count = testKit.createTestProbe();
    server.registry().tell(new PipeRegistry.CountPipes(count.ref()));
    return count.receiveMessage();
  }

  @Test
  void shouldServeAClientThatKnowsTheSecret() throws Exception {
    BackedPipe pipe = client(transport, testKit.createTestProbe());
    pipe.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
    CompletionStage<ByteString> echoed = pipe.source().take(1)
        .runWith(Sink.head(), testKit.system());
    Source.single(ByteString.fromString("proven")).runWith(pipe.sink(), testKit.system());
    assertEquals("proven", echoed.toCompletableFuture().get(5, TimeUnit.SECONDS).utf8String());
  }

  @Test
  void shouldRefuseForGoodAClientWithTheWrongSecretOrNone() throws Exception {
    SharedSecret wrong = SharedSecret.of("a guess that is long enough".getBytes(
        StandardCharsets.UTF_8));
    TransportSettings none = TransportSettings.create(testKit.system());
    for (TransportSettings settings : new TransportSettings[] {transport.withSecret(wrong), none}) {
      int before = pipes();
      TestProbe<PipeEvent> events = testKit.createTestProbe();
      BackedPipe pipe = client(settings, events);
      ExecutionException error = org.junit.jupiter.api.Assertions.assertThrows(
          ExecutionException.class, () -> pipe.connect().toCompletableFuture().get(5,
              TimeUnit.SECONDS));
      HandshakeRefusedException refused = assertInstanceOf(HandshakeRefusedException.class,
          error.getCause());
      assertEquals(HandshakeStatus.NOT_AUTHORIZED, refused.status());
      assertEquals("handshake refused: status=NOT_AUTHORIZED detail=\"not authorized\"",
          refused.getMessage());
      PipeEvent.Closed closed = (PipeEvent.Closed) events.fishForMessage(Duration.ofSeconds(5),
          e -> e instanceof PipeEvent.Closed
              ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
              : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore())
          .get(0);
      assertEquals(DisconnectCause.REFUSED, closed.cause());
      assertEquals(before, pipes()); // a refused HELLO creates nothing
    }
  }

  @Test
  void shouldRefuseACapturedHandshakeReplayedOnANewConnection() throws Exception {
    int before = pipes();
    UUID stream = UUID.randomUUID();
    // A HELLO proven for the nonce of one connection...
    Frame.Challenge first;
    Frame.Hello captured;
    try (Socket socket = new Socket(server.address().getAddress(), server.address().getPort())) {
      first = (Frame.Challenge) read(socket.getInputStream());
      Frame.Hello bare = new Frame.Hello(TcpReconnector.VERSION, stream, true, 0, 0, ByteString.emptyByteString());
      captured = new Frame.Hello(TcpReconnector.VERSION, stream, true, 0, 0, SECRET.proof(first.nonce(), bare));
    }
    // ...sent again on another: the nonce differs, so the proof does not hold.
    try (Socket socket = new Socket(server.address().getAddress(), server.address().getPort())) {
      Frame.Challenge second = (Frame.Challenge) read(socket.getInputStream());
      assertTrue(!second.nonce().equals(first.nonce()), "nonces must differ");
      socket.getOutputStream().write(CODEC.encode(captured).toArray());
      Frame.Welcome answer = (Frame.Welcome) read(socket.getInputStream());
      assertEquals(HandshakeStatus.NOT_AUTHORIZED, answer.status());
      assertEquals(-1, socket.getInputStream().read()); // and the server closes the connection
    }
    assertEquals(before, pipes()); // no stream was created
  }

  private static Frame read(InputStream in) throws IOException {
    DataInputStream data = new DataInputStream(in);
    byte[] header = new byte[FrameCodec.HEADER_BYTES];
    data.readFully(header);
    int length = java.nio.ByteBuffer.wrap(header, 1, 4).getInt();
    byte[] frame = java.util.Arrays.copyOf(header, FrameCodec.HEADER_BYTES + length);
    data.readFully(frame, FrameCodec.HEADER_BYTES, length);
    return CODEC.decode(ByteString.fromArrayUnsafe(frame));
  }
}
