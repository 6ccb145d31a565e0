package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.BackedPipe;
import io.backedpipe.DisconnectCause;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.PipeStatus;
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
import java.util.HashSet;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
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

/**
 * A server with a shared secret: only clients that prove it get a stream; nothing replays; and
 * the server proves itself in turn, so a forged WELCOME ends no stream.
 */
class AuthenticationIT {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final FrameCodec CODEC = new FrameCodec(256 * 1024);
  private static final ByteString NONCE = ByteString.fromString("client nonce 16b");
  private static final SharedSecret SECRET =
      SharedSecret.of("the server's secret, 32+ bytes long".getBytes(StandardCharsets.UTF_8));
  private static TransportSettings transport;
  private static PipeSettings pipeSettings;
  private static PipeServer server;
  /** A server without a secret. */
  private static PipeServer open;

  @BeforeAll
  static void start() throws Exception {
    transport = TransportSettings.create(testKit.system()).withSecret(SECRET);
    pipeSettings = PipeSettings.create(testKit.system())
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(100)));
    server = PipeServer.bind(testKit.system(), "127.0.0.1", 0,
            ServerSettings.create(testKit.system()), pipeSettings, transport,
            (id, pipe) -> pipe.source().runWith(pipe.sink(), testKit.system()))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    open = PipeServer.bind(testKit.system(), "127.0.0.1", 0,
            ServerSettings.create(testKit.system()), pipeSettings,
            TransportSettings.create(testKit.system()),
            (id, pipe) -> pipe.source().runWith(pipe.sink(), testKit.system()))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @AfterAll
  static void shutdown() throws Exception {
    server.unbind().toCompletableFuture().get(5, TimeUnit.SECONDS);
    open.unbind().toCompletableFuture().get(5, TimeUnit.SECONDS);
    testKit.shutdownTestKit();
  }

  private static BackedPipe client(TransportSettings settings, TestProbe<PipeEvent> events) {
    return client(settings, server.address(), events);
  }

  private static BackedPipe client(TransportSettings settings, java.net.InetSocketAddress address,
      TestProbe<PipeEvent> events) {
    BackedPipe pipe = BackedPipe.of(testKit.spawn(BackedPipe.create(new TcpReconnector(
        testKit.system(), address, UUID.randomUUID(), true, settings), pipeSettings)),
        testKit.system());
    pipe.subscribe(events.ref());
    return pipe;
  }

  /** The next event of {@code type}, skipping others. */
  private static <T extends PipeEvent> T next(TestProbe<PipeEvent> events, Class<T> type) {
    return type.cast(events.fishForMessage(Duration.ofSeconds(5),
        e -> type.isInstance(e)
            ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
            : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore())
        .get(0));
  }

  /** The UnprovenServerException a failed attempt was caused by. */
  private static boolean isUnproven(PipeEvent.ReconnectFailed failed) {
    for (Throwable cause = failed.error(); cause != null; cause = cause.getCause()) {
      if (cause instanceof UnprovenServerException) {
        return true;
      }
    }
    return false;
  }

  private static UnprovenServerException unproven(PipeEvent.ReconnectFailed failed) {
    Throwable cause = failed.error();
    while (cause != null && !(cause instanceof UnprovenServerException)) {
      cause = cause.getCause();
    }
    return assertInstanceOf(UnprovenServerException.class, cause, failed.error().toString());
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
  void shouldRefuseForGoodAClientWithoutASecretAndSaySo() throws Exception {
    int before = pipes();
    TestProbe<PipeEvent> events = testKit.createTestProbe();
    BackedPipe pipe = client(TransportSettings.create(testKit.system()), events);
    ExecutionException error = org.junit.jupiter.api.Assertions.assertThrows(
        ExecutionException.class, () -> pipe.connect().toCompletableFuture().get(5,
            TimeUnit.SECONDS));
    HandshakeRefusedException refused = assertInstanceOf(HandshakeRefusedException.class,
        error.getCause());
    assertEquals(HandshakeStatus.NOT_AUTHORIZED, refused.status());
    assertEquals("handshake refused: status=NOT_AUTHORIZED detail=\"the server requires a shared"
        + " secret and this client has none\"", refused.getMessage());
    assertEquals(DisconnectCause.REFUSED, next(events, PipeEvent.Closed.class).cause());
    assertEquals(before, pipes()); // the client sent no HELLO
  }

  @Test
  void shouldRetryButNeverAttachAClientWithAnotherSecret() throws Exception {
    int before = pipes();
    SharedSecret wrong = SharedSecret.of("a guess that is long enough".getBytes(
        StandardCharsets.UTF_8));
    TestProbe<PipeEvent> events = testKit.createTestProbe();
    BackedPipe pipe = client(transport.withSecret(wrong), events);
    pipe.connect();
    // The server's NOT_AUTHORIZED is proven with its secret, which this client cannot check: it
    // could be anyone's, so it is a failed attempt, and the next one fails the same way.
    for (int attempt = 1; attempt <= 2; attempt++) {
      UnprovenServerException unproven = unproven(next(events, PipeEvent.ReconnectFailed.class));
      assertEquals(HandshakeStatus.NOT_AUTHORIZED, unproven.status());
      assertEquals("WELCOME not proven: the WELCOME's proof is wrong: the server's shared secret"
          + " is not this client's, or this is not the server you think; treating"
          + " status=NOT_AUTHORIZED detail=proof wrong: the HELLO's proof does not match the"
          + " server's shared secret as a failed attempt", unproven.getMessage());
    }
    assertEquals(before, pipes()); // a refused HELLO creates nothing
    pipe.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void shouldNotTrustAServerThatNeverAsksForAProof() throws Exception {
    TestProbe<PipeEvent> events = testKit.createTestProbe();
    BackedPipe pipe = client(transport, open.address(), events);
    pipe.connect();
    UnprovenServerException unproven = unproven(next(events, PipeEvent.ReconnectFailed.class));
    assertEquals(HandshakeStatus.OK, unproven.status()); // an OK it could not prove: not attached
    assertEquals(ClientHandshake.NOT_ASKED, unproven.reason());
    assertEquals("WELCOME not proven: the server did not ask for a proof: it has no shared"
        + " secret, or this is not the server you think; treating status=OK detail= as a failed"
        + " attempt", unproven.getMessage());
    assertEquals(PipeStatus.class, pipe.status().toCompletableFuture().get(5, TimeUnit.SECONDS)
        .getClass());
    pipe.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  @Test
  void shouldKeepTheStreamThroughForgedWelcomesAndResumeItByteForByte() throws Exception {
    ForgingProxy proxy = ForgingProxy.start(testKit.system(), server.address());
    try {
      TestProbe<PipeEvent> events = testKit.createTestProbe();
      BackedPipe pipe = client(transport, proxy.address(), events);
      pipe.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
      next(events, PipeEvent.Connected.class);
      ByteString first = ByteString.fromString("before the forger; ");
      ByteString second = ByteString.fromString("written while every WELCOME was forged");
      CompletableFuture<ByteString> later = new CompletableFuture<>();
      Source.single(first).concat(Source.completionStage(later)).concat(Source.maybe())
          .runWith(pipe.sink(), testKit.system());
      int total = first.size() + second.size();
      CompletionStage<ByteString> echoed = pipe.source()
          .scan(ByteString.emptyByteString(), ByteString::concat)
          .filter(bytes -> bytes.size() >= total)
          .runWith(Sink.head(), testKit.system());

      proxy.forge(true);
      proxy.cutAll();
      later.complete(second);
      Set<HandshakeStatus> claimed = new HashSet<>();
      while (claimed.size() < 4) { // UNKNOWN_STREAM, COMPLETED, NOT_AUTHORIZED and OK, forged
        PipeEvent event = events.receiveMessage(Duration.ofSeconds(5));
        assertTrue(!(event instanceof PipeEvent.Closed), "a forged WELCOME ended the pipe: "
            + event);
        assertTrue(!(event instanceof PipeEvent.Connected), "attached an unproven OK: " + event);
        // (the cut link itself may be reported as a failed attempt too, if it had not proved
        // itself yet: only the refused handshakes name a forged status)
        if (event instanceof PipeEvent.ReconnectFailed failed && isUnproven(failed)) {
          claimed.add(unproven(failed).status());
        }
      }
      assertTrue(proxy.forged() >= 4);

      proxy.forge(false);
      next(events, PipeEvent.Connected.class);
      assertEquals(first.concat(second),
          echoed.toCompletableFuture().get(10, TimeUnit.SECONDS).take(total));
      pipe.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
    } finally {
      proxy.unbind();
    }
  }

  @Test
  void shouldLetAForgedWelcomeEndAStreamWithoutASecret() throws Exception {
    // The threat a shared secret removes: without one, nothing proves the WELCOME.
    ForgingProxy proxy = ForgingProxy.start(testKit.system(), open.address());
    try {
      proxy.forge(true); // the first WELCOME forged is UNKNOWN_STREAM
      TestProbe<PipeEvent> events = testKit.createTestProbe();
      BackedPipe pipe = client(TransportSettings.create(testKit.system()), proxy.address(),
          events);
      ExecutionException error = org.junit.jupiter.api.Assertions.assertThrows(
          ExecutionException.class, () -> pipe.connect().toCompletableFuture().get(5,
              TimeUnit.SECONDS));
      HandshakeRefusedException refused = assertInstanceOf(HandshakeRefusedException.class,
          error.getCause());
      assertEquals(HandshakeStatus.UNKNOWN_STREAM, refused.status());
      assertEquals(DisconnectCause.REFUSED, next(events, PipeEvent.Closed.class).cause());
    } finally {
      proxy.unbind();
    }
  }

  @Test
  void shouldAnswerAHelloWithoutAProofProvenAndSayAProofIsRequired() throws Exception {
    try (Socket socket = new Socket(server.address().getAddress(), server.address().getPort())) {
      Frame.Challenge challenge = (Frame.Challenge) read(socket.getInputStream());
      assertTrue(challenge.proofRequired());
      Frame.Hello hello = new Frame.Hello(TcpReconnector.VERSION, UUID.randomUUID(), true, 0, 0,
          NONCE, ByteString.emptyByteString());
      socket.getOutputStream().write(CODEC.encode(hello).toArray());
      Frame.Welcome answer = (Frame.Welcome) read(socket.getInputStream());
      assertEquals(HandshakeStatus.NOT_AUTHORIZED, answer.status());
      assertEquals("proof required: the server has a shared secret and the HELLO carries no proof",
          answer.detail());
      assertTrue(SECRET.verifies(challenge.nonce(), hello, answer), "the refusal is proven");
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
      Frame.Hello bare = new Frame.Hello(TcpReconnector.VERSION, stream, true, 0, 0, NONCE,
          ByteString.emptyByteString());
      captured = bare.withProof(SECRET.proof(first.nonce(), bare));
    }
    // ...sent again on another: the nonce differs, so the proof does not hold.
    try (Socket socket = new Socket(server.address().getAddress(), server.address().getPort())) {
      Frame.Challenge second = (Frame.Challenge) read(socket.getInputStream());
      assertTrue(!second.nonce().equals(first.nonce()), "nonces must differ");
      socket.getOutputStream().write(CODEC.encode(captured).toArray());
      Frame.Welcome answer = (Frame.Welcome) read(socket.getInputStream());
      assertEquals(HandshakeStatus.NOT_AUTHORIZED, answer.status());
      assertEquals("proof wrong: the HELLO's proof does not match the server's shared secret",
          answer.detail());
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
