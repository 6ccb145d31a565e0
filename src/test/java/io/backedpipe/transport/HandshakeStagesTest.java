package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HandshakeStatus;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Graph;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * Both handshake stages alone, without sockets: queues stand in for the frames arriving from the
 * wire and from the pipe, probes receive the frames going to the wire and to the pipe.
 */
class HandshakeStagesTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  /** Only where a test proves that nothing (more) arrives. */
  private static final Duration NO_MORE = Duration.ofMillis(100);
  private static final Duration LONG = Duration.ofSeconds(10);
  private static final Duration SHORT = Duration.ofMillis(200);

  /** A handshake's frames, also {@code HeartbeatDemandTest}'s. */
  static final Frame.Challenge CHALLENGE =
      new Frame.Challenge(3, false, ByteString.fromString("0123456789abcdef"));
  static final UUID STREAM = UUID.fromString("00000000-0000-0000-0000-00000000beef");
  static final Frame.Hello HELLO =
      new Frame.Hello(3, STREAM, true, 0, 7, CHALLENGE.nonce(), CHALLENGE.nonce().take(4));
  static final Frame.Welcome OK = new Frame.Welcome(HandshakeStatus.OK, 5, 7, 1000, "");
  private static final Frame.Welcome REFUSED =
      new Frame.Welcome(HandshakeStatus.NOT_AUTHORIZED, -1, 0, 0, "bad proof");

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static Frame data(String s) {
    return new Frame.Data(ByteString.fromString(s));
  }

  /** One stage, materialized between two queues (inputs) and two probes (outputs). */
  private static final class Wired<M> {
    final TestProbe<Frame> toWire = testKit.createTestProbe();
    final TestProbe<Frame> toPipe = testKit.createTestProbe();
    final BoundedSourceQueue<Frame> fromPipe, fromWire;
    final M value;
    final CompletionStage<Done> wireDone, pipeDone;

    Wired(Graph<BidiShape<Frame, Frame, Frame, Frame>, M> stage) {
      var wired = new WiredBidi<>(testKit.system(), stage,
          Sink.<Frame>foreach(toWire.ref()::tell), toPipe.ref());
      fromPipe = wired.fromAbove;
      value = wired.value;
      wireDone = wired.below;
      fromWire = wired.fromBelow;
      pipeDone = wired.aboveDone;
    }

  }

  private static void offer(BoundedSourceQueue<Frame> queue, Frame... frames) {
    for (Frame f : frames) {
      assertEquals(QueueOfferResult.enqueued(), queue.offer(f));
    }
  }

  private static Wired<CompletionStage<Frame.Welcome>> client(Duration timeout) {
    return new Wired<>(new ClientHandshake(
        c -> new Frame.Hello(c.version(), STREAM, true, 0, 7, c.nonce(), c.nonce().take(4)),
        timeout));
  }

  private static Wired<ServerHandshake.Control> server(Duration timeout) {
    return new Wired<>(new ServerHandshake(CHALLENGE, timeout));
  }

  /** Feeds the HELLO, waits for it, decides {@code answer}, and checks CHALLENGE then answer. */
  private static void decide(Wired<ServerHandshake.Control> s, Frame.Welcome answer)
      throws Exception {
    offer(s.fromWire, HELLO);
    await(s.value.hello());
    s.value.welcome().complete(answer);
    s.toWire.expectMessage(CHALLENGE);
    s.toWire.expectMessage(answer);
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static <E extends Throwable> E failure(CompletionStage<?> stage, Class<E> type) {
    var e = assertThrows(ExecutionException.class, () -> await(stage));
    return assertInstanceOf(type, e.getCause());
  }

  private static void assertFailed(CompletionStage<?> stage, String detail) {
    String message = failure(stage, HandshakeFailedException.class).getMessage();
    assertTrue(message.contains(detail), message);
  }

  private static final SharedSecret SECRET =
      SharedSecret.of("both ends know this one".getBytes(java.nio.charset.StandardCharsets.UTF_8));
  private static final Frame.Challenge PROOF_REQUIRED =
      new Frame.Challenge(3, true, CHALLENGE.nonce());

  private static Wired<CompletionStage<Frame.Welcome>> provingClient() {
    return new Wired<>(new ClientHandshake(c -> {
      Frame.Hello bare = new Frame.Hello(c.version(), STREAM, true, 0, 7,
          ByteString.fromString("client nonce 16b"), ByteString.emptyByteString());
      return bare.withProof(SECRET.proof(c.nonce(), bare));
    }, java.util.Optional.of(SECRET), LONG));
  }

  /** Sends {@code challenge} to a proving client and returns the HELLO it answers with. */
  private static Frame.Hello challenge(Wired<CompletionStage<Frame.Welcome>> c,
      Frame.Challenge challenge) {
    offer(c.fromWire, challenge);
    return (Frame.Hello) c.toWire.receiveMessage();
  }

  @Test
  void shouldFailAtOnceWhenTheServerRequiresAProofAndThisClientHasNone() {
    var c = client(LONG);
    offer(c.fromWire, PROOF_REQUIRED);
    var refused = failure(c.value, io.backedpipe.transport.HandshakeRefusedException.class);
    assertEquals(HandshakeStatus.NOT_AUTHORIZED, refused.status());
    assertEquals("handshake refused: status=NOT_AUTHORIZED detail=\"the server requires a shared"
        + " secret and this client has none\"", refused.getMessage());
    c.toWire.expectNoMessage(NO_MORE); // no HELLO: the stream id stays with the client
  }

  @Test
  void shouldCompleteOnAProvenWelcome() throws Exception {
    var c = provingClient();
    Frame.Hello hello = challenge(c, PROOF_REQUIRED);
    Frame.Welcome proven = OK.withProof(SECRET.proof(CHALLENGE.nonce(), hello, OK));
    offer(c.fromWire, proven);
    assertEquals(proven, await(c.value));
  }

  @Test
  void shouldEndOnAProvenPermanentRefusal() {
    var c = provingClient();
    Frame.Hello hello = challenge(c, PROOF_REQUIRED);
    offer(c.fromWire, REFUSED.withProof(SECRET.proof(CHALLENGE.nonce(), hello, REFUSED)));
    var refused = failure(c.value, io.backedpipe.transport.HandshakeRefusedException.class);
    assertFalse(refused.isRecoverable());
  }

  @Test
  void shouldTreatUnprovenWelcomesAsFailedAttempts() {
    Frame.Welcome unknown = new Frame.Welcome(HandshakeStatus.UNKNOWN_STREAM, -1, 0, 0, "forged");
    Object[][] cases = {
        {PROOF_REQUIRED, unknown, "the WELCOME carries no proof"},
        {PROOF_REQUIRED, OK.withProof(ByteString.fromArrayUnsafe(new byte[32])),
            "the WELCOME's proof is wrong: the server's shared secret is not this client's, or"
                + " this is not the server you think"},
        {CHALLENGE, unknown, ClientHandshake.NOT_ASKED}};
    for (Object[] row : cases) {
      var c = provingClient();
      challenge(c, (Frame.Challenge) row[0]);
      Frame.Welcome welcome = (Frame.Welcome) row[1];
      offer(c.fromWire, welcome);
      var unproven = failure(c.value, io.backedpipe.transport.UnprovenServerException.class);
      assertEquals(welcome.status(), unproven.status());
      assertEquals(row[2], unproven.reason());
      assertTrue(unproven.isRecoverable());
      c.toPipe.expectNoMessage(NO_MORE);
    }
  }

  @Test
  void shouldNotTakeAWelcomeProvenForAnotherHello() {
    var c = provingClient();
    Frame.Hello hello = challenge(c, PROOF_REQUIRED);
    Frame.Hello changed = new Frame.Hello(2, hello.streamId(), true, 0, 7, hello.limits(),
        hello.nonce(), hello.proof());
    Frame.Welcome versionRefused =
        new Frame.Welcome(HandshakeStatus.VERSION_UNSUPPORTED, -1, 0, 0, "supported=3");
    offer(c.fromWire,
        versionRefused.withProof(SECRET.proof(CHALLENGE.nonce(), changed, versionRefused)));
    assertTrue(failure(c.value, io.backedpipe.transport.UnprovenServerException.class).isRecoverable());
  }

  @Test
  void shouldSendNothingBeforeTheChallenge() {
    var c = client(LONG);
    offer(c.fromPipe, data("early"));
    c.toWire.expectNoMessage(NO_MORE);
  }

  @Test
  void shouldAnswerTheChallengeWithTheHelloItsFunctionBuilds() {
    var c = client(LONG);
    offer(c.fromWire, CHALLENGE);
    c.toWire.expectMessage(HELLO);
  }

  @Test
  void shouldCompleteWithTheWelcomeAndThenPassFramesBothWaysInOrder() throws Exception {
    var c = client(LONG);
    offer(c.fromWire, CHALLENGE, OK, data("w1"), data("w2"));
    c.toWire.expectMessage(HELLO);
    assertEquals(OK, await(c.value));
    c.toPipe.expectMessage(data("w1"));
    c.toPipe.expectMessage(data("w2"));
    offer(c.fromPipe, data("p1"), data("p2"));
    c.toWire.expectMessage(data("p1"));
    c.toWire.expectMessage(data("p2"));
  }

  @Test
  void shouldHoldPipeFramesOfferedBeforeTheWelcomeUntilAfterIt() throws Exception {
    var c = client(LONG);
    offer(c.fromPipe, data("p1"), data("p2"));
    offer(c.fromWire, CHALLENGE);
    c.toWire.expectMessage(HELLO);
    c.toWire.expectNoMessage(NO_MORE);
    offer(c.fromWire, OK);
    assertEquals(OK, await(c.value));
    c.toWire.expectMessage(data("p1"));
    c.toWire.expectMessage(data("p2"));
  }

  @Test
  void shouldFailWithTheStatusOfARefusingWelcome() {
    var c = client(LONG);
    offer(c.fromWire, CHALLENGE, REFUSED);
    var refused = failure(c.value, HandshakeRefusedException.class);
    assertEquals(HandshakeStatus.NOT_AUTHORIZED, refused.status());
  }

  @Test
  void shouldFailOnDataInsteadOfTheChallenge() {
    var c = client(LONG);
    offer(c.fromWire, data("x"));
    assertFailed(c.value, "unexpected frame: expected=CHALLENGE got=DATA size=1");
  }

  @Test
  void shouldFailWhenTheWireClosesDuringTheClientHandshake() {
    var c = client(LONG);
    offer(c.fromWire, CHALLENGE);
    c.toWire.expectMessage(HELLO);
    c.fromWire.complete();
    assertFailed(c.value, "connection closed during handshake");
  }

  @Test
  void shouldFailWhenTheClientHandshakeTimesOut() {
    var c = client(SHORT);
    offer(c.fromWire, CHALLENGE);
    assertFailed(c.value, "timed out: handshakeTimeout=200ms");
  }

  @Test
  void shouldSendTheChallengeAtOnce() {
    server(LONG).toWire.expectMessage(CHALLENGE);
  }

  @Test
  void shouldCompleteHelloWithTheClientsHello() throws Exception {
    var s = server(LONG);
    offer(s.fromWire, HELLO);
    assertEquals(HELLO, await(s.value.hello()));
  }

  @Test
  void shouldSendNothingAfterTheChallengeUntilTheDecision() throws Exception {
    var s = server(LONG);
    offer(s.fromWire, HELLO);
    await(s.value.hello());
    offer(s.fromPipe, data("p1"));
    s.toWire.expectMessage(CHALLENGE);
    s.toWire.expectNoMessage(NO_MORE);
  }

  @Test
  void shouldSendTheWelcomeThenPassFramesBothWays() throws Exception {
    var s = server(LONG);
    decide(s, OK);
    offer(s.fromWire, data("w1"));
    s.toPipe.expectMessage(data("w1"));
    offer(s.fromPipe, data("p1"));
    s.toWire.expectMessage(data("p1"));
  }

  @Test
  void shouldSendPipeFramesOfferedBeforeTheDecisionAfterTheWelcome() throws Exception {
    var s = server(LONG);
    offer(s.fromPipe, data("p1"), data("p2"));
    decide(s, OK);
    s.toWire.expectMessage(data("p1"));
    s.toWire.expectMessage(data("p2"));
  }

  @Test
  void shouldSendARefusingWelcomeAndThenCloseTheConnection() throws Exception {
    var s = server(LONG);
    decide(s, REFUSED);
    await(s.wireDone);
  }

  @Test
  void shouldSendTheWelcomeBeforeApplyingAnEarlyEndOfThePipe() throws Exception {
    var s = server(LONG);
    s.fromPipe.complete(); // reaches the stage before decide's HELLO: same interpreter, sent first
    decide(s, OK);
    await(s.wireDone);
  }

  @Test
  void shouldFailOnDataBeforeTheHello() {
    var s = server(LONG);
    offer(s.fromWire, data("x"));
    assertFailed(s.value.hello(), "unexpected frame: expected=HELLO got=DATA size=1");
  }

  @Test
  void shouldEscapeTheReasonOfACloseSentInsteadOfTheHello() {
    var s = server(LONG);
    offer(s.fromWire, new Frame.Close(4000, "\r\n[ERROR] forged line\u001b[31m"));
    assertFailed(s.value.hello(), "unexpected frame: expected=HELLO got=CLOSE code=4000"
        + " reason=\"\\u000d\\u000a[ERROR] forged line\\u001b[31m\"");
  }

  @Test
  void shouldFailWhenTheServerHandshakeTimesOut() {
    var s = server(SHORT);
    assertFailed(s.value.hello(), "timed out: handshakeTimeout=200ms");
  }

  @Test
  void shouldFailTheConnectionWhenTheDecisionComesTooLate() throws Exception {
    var s = server(SHORT);
    offer(s.fromWire, HELLO);
    await(s.value.hello());
    assertFailed(s.wireDone, "timed out");
  }

  @Test
  void shouldCompleteOnlyThePipeOutputWhenTheWireInputCompletes() throws Exception {
    var c = client(LONG);
    offer(c.fromWire, CHALLENGE, OK);
    await(c.value);
    c.fromWire.complete();
    await(c.pipeDone);
    offer(c.fromPipe, data("p1"));
    c.toWire.expectMessage(HELLO);
    c.toWire.expectMessage(data("p1"));
    assertFalse(c.wireDone.toCompletableFuture().isDone());
  }

  /** Regression: a failed decision was ignored and reported as a timeout much later. */
  @Test
  void shouldFailTheConnectionWithTheCauseWhenTheServerCannotDecide() throws Exception {
    var s = server(LONG);
    offer(s.fromWire, HELLO);
    await(s.value.hello());
    s.value.welcome().completeExceptionally(new IllegalStateException("registry gone"));
    assertFailed(s.wireDone, "the server could not decide");
  }

  /** Regression: a HELLO function that threw was reported as a closed connection. */
  @Test
  void shouldFailWithTheCauseWhenTheHelloCannotBeBuilt() {
    var c = new Wired<>(new ClientHandshake(challenge -> {
      throw new IllegalStateException("no secret");
    }, LONG));
    offer(c.fromWire, CHALLENGE);
    assertFailed(c.value, "could not build the HELLO");
  }

  // ---- the heartbeat, once the handshake is over ----

  private static final Duration BEAT = Duration.ofMillis(100);

  private static Wired<ServerHandshake.Control> beatingServer(Duration interval) {
    return new Wired<>(new ServerHandshake(CHALLENGE, LONG, java.util.Optional.of(interval)));
  }

  private static Wired<CompletionStage<Frame.Welcome>> beatingClient(Duration interval) {
    return new Wired<>(new ClientHandshake(
        c -> new Frame.Hello(c.version(), STREAM, true, 0, 7, c.nonce(), c.nonce().take(4)),
        java.util.Optional.empty(), LONG, java.util.Optional.of(interval)));
  }

  /** A server handshake with a heartbeat, past its WELCOME. */
  private static Wired<ServerHandshake.Control> openBeatingServer(Duration interval)
      throws Exception {
    var s = beatingServer(interval);
    decide(s, OK);
    return s;
  }

  private static void expectAmongPings(TestProbe<Frame> probe, Frame frame) {
    probe.fishForMessage(LONG, f -> f.equals(frame)
        ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.complete()
        : f instanceof Frame.Ping
            ? org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.continueAndIgnore()
            : org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes.fail("got " + f));
  }

  @Test
  void shouldPingOnceOpenWhenNothingWasSentForTheInterval() throws Exception {
    var s = openBeatingServer(BEAT);
    offer(s.fromPipe, data("a"));
    s.toWire.expectMessage(data("a"));
    s.toWire.expectMessage(LONG, new Frame.Ping(0));
    s.toWire.expectMessage(LONG, new Frame.Ping(0)); // and again, for as long as it stays idle
    offer(s.fromPipe, data("b"));
    expectAmongPings(s.toWire, data("b"));
  }

  @Test
  void shouldNotPingBeforeTheHandshakeIsOver() throws Exception {
    var s = beatingServer(Duration.ofMillis(20));
    s.toWire.expectMessage(CHALLENGE);
    offer(s.fromWire, HELLO);
    await(s.value.hello());
    s.toWire.expectNoMessage(SHORT); // ten intervals while the server decides: not a PING
    s.value.welcome().complete(OK);
    s.toWire.expectMessage(OK);
    s.toWire.expectMessage(LONG, new Frame.Ping(0));
  }

  @Test
  void shouldKeepThePeersPingsAndPongsFromThePipe() throws Exception {
    var s = openBeatingServer(Duration.ofMinutes(1));
    offer(s.fromWire, new Frame.Ping(0), data("x"), new Frame.Pong(0), data("y"));
    s.toPipe.expectMessage(data("x"));
    s.toPipe.expectMessage(data("y"));
  }

  @Test
  void shouldKeepTheHeartbeatOnTheClientSideOnceWelcomed() throws Exception {
    var c = beatingClient(BEAT);
    offer(c.fromWire, CHALLENGE);
    c.toWire.expectMessage(HELLO);
    offer(c.fromWire, OK);
    await(c.value);
    c.toWire.expectMessage(LONG, new Frame.Ping(0));
    offer(c.fromWire, new Frame.Ping(0), data("x"));
    c.toPipe.expectMessage(data("x"));
    offer(c.fromPipe, data("p"));
    expectAmongPings(c.toWire, data("p"));
  }

  @Test
  void shouldKeepSendingAndBeatingAfterThePeerEndedItsSide() throws Exception {
    var s = openBeatingServer(BEAT);
    s.fromWire.complete();
    await(s.pipeDone);
    offer(s.fromPipe, data("still"));
    expectAmongPings(s.toWire, data("still"));
    s.toWire.expectMessage(LONG, new Frame.Ping(0)); // the way out is still kept alive
    s.fromPipe.complete();
    await(s.wireDone);
  }

  @Test
  void shouldHandThePeersFailureToThePipeAndKeepTheWayOut() throws Exception {
    var s = openBeatingServer(Duration.ofMinutes(1));
    s.fromWire.fail(new java.io.IOException("bad frame"));
    assertEquals("bad frame", failure(s.pipeDone, java.io.IOException.class).getMessage());
    offer(s.fromPipe, data("farewell"));
    s.toWire.expectMessage(data("farewell"));
  }

  @Test
  void shouldPassPingsAndPongsOnWithoutAHeartbeat() throws Exception {
    var s = server(LONG);
    decide(s, OK);
    offer(s.fromWire, new Frame.Ping(0), new Frame.Pong(0));
    s.toPipe.expectMessage(new Frame.Ping(0));
    s.toPipe.expectMessage(new Frame.Pong(0));
    s.toWire.expectNoMessage(NO_MORE);
  }
}
