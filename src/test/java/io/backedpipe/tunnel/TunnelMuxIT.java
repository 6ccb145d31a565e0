package io.backedpipe.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ch.qos.logback.classic.Level;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.backedpipe.BackedPipe;
import io.backedpipe.PeerClosedException;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.server.PipeServer;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TransportSettings;
import io.backedpipe.tunnel.mux.MuxCodec;
import io.backedpipe.tunnel.mux.MuxFrame;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The tunnel's stream multiplexing as a user sees it: one slow reader does not hold up the other
 * streams of its pipe, a peer that breaks the protocol has the pipe closed with the reason (and
 * nothing else disturbed), and neither end carries more streams than its {@code max-streams}.
 */
class TunnelMuxIT {
  private static final Config BASE = ConfigFactory.parseString("""
      backed-pipe.reconnect { min-backoff = 5ms, max-backoff = 100ms }
      backed-pipe.transport { heartbeat-interval = 100ms, heartbeat-timeout = 500ms,
                              handshake-timeout = 2s }
      """).withFallback(ConfigFactory.load("application-test"));
  private static final ActorTestKit testKit = ActorTestKit.create(BASE);
  /**
   * A serve whose streams get no more than the initial credit: a receiver counts a grant as given
   * when it sends it (it cannot know when the sender sees it), so only with a window of the
   * initial credit is one DATA frame of 64 KiB + 1 bytes, right after the OPEN, beyond credit.
   */
  private static final ActorTestKit tightWindow = ActorTestKit.create("TightWindow",
      ConfigFactory.parseString("backed-pipe.tunnel.stream-window = 64KiB").withFallback(BASE));
  /** A connect that carries at most 2 streams. */
  private static final ActorTestKit twoStreams = ActorTestKit.create("TwoStreams",
      ConfigFactory.parseString("backed-pipe.tunnel.max-streams = 2").withFallback(BASE));
  /** A serve whose tunnel connections hold 1.5 MiB of windows beyond the first 64 KiB each. */
  private static final ActorTestKit smallBuffer = ActorTestKit.create("SmallBuffer",
      ConfigFactory.parseString("backed-pipe.tunnel { stream-window = 1MiB,"
          + " max-tunnel-buffer = 1536KiB }").withFallback(BASE));
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final InetSocketAddress ANY = new InetSocketAddress("127.0.0.1", 0);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
    tightWindow.shutdownTestKit();
    twoStreams.shutdownTestKit();
    smallBuffer.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  /** A pipe that dials {@code server} as a new stream, for a test to write frames by hand. */
  private static BackedPipe rawClient(InetSocketAddress server) {
    return BackedPipe.of(testKit.spawn(BackedPipe.create(new TcpReconnector(testKit.system(),
            server, UUID.randomUUID(), true, TransportSettings.create(testKit.system())),
        PipeSettings.create(testKit.system()))), testKit.system());
  }

  /** An echo service that half-closes after the client's EOF. */
  private static InetSocketAddress echo() throws Exception {
    return EchoTarget.start(testKit.system());
  }

  private static ByteString random(Random random, int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }

  private static void awaitTrue(java.util.function.BooleanSupplier condition,
      java.util.function.Supplier<String> what) {
    testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
      assertTrue(condition.getAsBoolean(), what);
      return null;
    });
  }

  // ---- 1. per-stream flow control ----

  @Test
  void shouldKeepEchoingOnOneStreamWhileAnotherStreamsReaderIsStalled() throws Exception {
    // The target's first connection never reads (it takes one element and waits for ever); the
    // others echo.
    AtomicInteger accepted = new AtomicInteger();
    AtomicLong stalledTook = new AtomicLong();
    InetSocketAddress target = await(Tcp.get(testKit.system()).bind("127.0.0.1", 0, 100,
            List.of(), true, Optional.empty())
        .to(Sink.foreach(c -> {
          if (accepted.getAndIncrement() == 0) {
            c.handleWith(Flow.fromSinkAndSource(Flow.<ByteString>create()
                    .mapAsync(1, b -> {
                      stalledTook.addAndGet(b.size());
                      return new CompletableFuture<ByteString>();
                    })
                    .to(Sink.ignore()), Source.<ByteString>never()), testKit.system());
          } else {
            c.handleWith(Flow.create(), testKit.system());
          }
        }))
        .run(testKit.system())).localAddress();
    ServeTunnel serve = await(ServeTunnel.start(testKit.system(), ANY, target, Optional.empty()));
    TestProbe<TunnelEvent> events = testKit.createTestProbe();
    ConnectTunnel connect = await(ConnectTunnel.start(testKit.system(), ANY, serve.address(),
        Optional.of(events.ref())));

    // Stream A writes far more than every window and socket buffer on the way can hold, one
    // offer after the other, without the test thread waiting for it.
    LocalClient a = new LocalClient(testKit.system(), connect.address());
    awaitTrue(() -> accepted.get() == 1, () -> "the target accepted " + accepted.get());
    long total = 256L * 1024 * 1024;
    ByteString chunk = random(new Random(1), 64 * 1024);
    AtomicLong offered = new AtomicLong();
    AtomicBoolean writing = new AtomicBoolean(true);
    CompletableFuture<Void> aDone = new CompletableFuture<>();
    writeUntil(a, chunk, total, offered, writing, aDone);
    // A is stalled: it wrote well beyond the 1 MiB window, and its writes no longer go through.
    awaitTrue(() -> offered.get() > 4L * 1024 * 1024, () -> "A offered " + offered.get());

    // Stream B, on the same pipe, echoes 1 MiB byte-exact all the same.
    LocalClient b = new LocalClient(testKit.system(), connect.address());
    Random random = new Random(2);
    List<ByteString> sent = new ArrayList<>(List.of(ByteString.emptyByteString()));
    for (int i = 0; i < 4; i++) {
      LocalClient.echoRound(testKit, List.of(b), sent, random, 256 * 1024, TIMEOUT);
    }
    assertEquals(1024 * 1024, sent.get(0).size());
    assertEquals(sent.get(0), b.received());
    assertEquals(2, accepted.get());

    // A is still stalled: its writer has not got all its bytes through, and the target took one
    // element of it at most.
    assertTrue(!aDone.isDone() && offered.get() < total, "A offered " + offered.get()
        + " of " + total + ", done " + aDone.isDone());
    assertTrue(stalledTook.get() <= MuxCodec.MAX_CHUNK, "the stalled target took "
        + stalledTook.get());
    assertEquals(0, a.received().size());

    // One pipe, never lost nor closed.
    List<TunnelEvent> seen = TunnelEvents.soFar(events);
    assertTrue(seen.stream().noneMatch(e -> e.event() instanceof PipeEvent.Closed
        || e.event() instanceof PipeEvent.Disconnected), seen.toString());
    assertEquals(1, seen.stream().map(TunnelEvent::streamId).distinct().count(),
        seen.toString());

    writing.set(false);
    a.reset();
    b.finish();
    await(b.done());
  }

  /** Offers {@code chunk} after chunk into {@code client}, each once the one before was taken. */
  private static void writeUntil(LocalClient client, ByteString chunk, long total,
      AtomicLong offered, AtomicBoolean writing, CompletableFuture<Void> done) {
    if (!writing.get() || offered.get() >= total) {
      done.complete(null);
      return;
    }
    client.send(chunk).whenComplete((result, error) -> {
      if (error != null) {
        done.completeExceptionally(error);
      } else {
        offered.addAndGet(chunk.size());
        writeUntil(client, chunk, total, offered, writing, done);
      }
    });
  }

  // ---- 2. a hostile client ----

  @Test
  void shouldCloseThePipeOfAClientThatBreaksTheProtocolAndGoOnServingTheOthers()
      throws Exception {
    InetSocketAddress echo = echo();
    ServeTunnel serve = await(ServeTunnel.start(tightWindow.system(), ANY, echo,
        Optional.empty()));
    ByteString preamble = MuxCodec.preamble();

    assertBrokenBy(serve, ByteString.fromString("SSH-2.0-hello\r\n"),
        "does not speak the tunnel protocol");
    assertBrokenBy(serve, preamble.concat(MuxCodec.encode(
            new MuxFrame.Data(1, ByteString.fromString("hi")))),
        "DATA frame for stream 1, which was never opened");
    assertBrokenBy(serve, preamble
            .concat(MuxCodec.encode(new MuxFrame.Open(1)))
            .concat(MuxCodec.encode(new MuxFrame.Data(1,
                random(new Random(3), MuxCodec.INITIAL_CREDIT + 1)))),
        "stream 1 sent 65537 bytes with 65536 bytes of credit left");
    assertBrokenBy(serve, preamble
            .concat(MuxCodec.encode(new MuxFrame.Open(1)))
            .concat(MuxCodec.encode(new MuxFrame.Open(1))),
        "stream 1 opened twice");

    // Nothing else was disturbed: a real connect's stream echoes through the same serve.
    TestProbe<TunnelEvent> events = testKit.createTestProbe();
    ConnectTunnel connect = await(ConnectTunnel.start(testKit.system(), ANY, serve.address(),
        Optional.of(events.ref())));
    LocalClient client = new LocalClient(testKit.system(), connect.address());
    List<ByteString> sent = new ArrayList<>(List.of(ByteString.emptyByteString()));
    LocalClient.echoRound(testKit, List.of(client), sent, new Random(4), 512 * 1024, TIMEOUT);
    assertEquals(sent.get(0), client.received());
    client.finish();
    await(client.done());
    List<TunnelEvent> seen = TunnelEvents.soFar(events);
    assertTrue(seen.stream().noneMatch(e -> e.event() instanceof PipeEvent.Closed),
        seen.toString());
  }

  /**
   * A raw pipe to {@code serve} sends {@code bytes} (and nothing after them): the server must
   * close the pipe with TUNNEL_PROTOCOL and a reason that contains {@code expected}.
   */
  private static void assertBrokenBy(ServeTunnel serve, ByteString bytes, String expected)
      throws Exception {
    BackedPipe pipe = rawClient(serve.address());
    TestProbe<PipeEvent> events = testKit.createTestProbe();
    pipe.subscribe(events.ref());
    pipe.source().runWith(Sink.ignore(), testKit.system());
    await(pipe.connect());
    Source.single(bytes).concat(Source.never()).runWith(pipe.sink(), testKit.system());
    PipeEvent.Closed closed = (PipeEvent.Closed) events.fishForMessage(TIMEOUT,
        e -> e instanceof PipeEvent.Closed
            ? FishingOutcomes.complete()
            : FishingOutcomes.continueAndIgnore())
        .get(0);
    assertTrue(closed.error().orElse(null) instanceof PeerClosedException, closed.toString());
    PeerClosedException peer = (PeerClosedException) closed.error().get();
    assertEquals(TunnelCloseCode.TUNNEL_PROTOCOL.code(), peer.code(), peer.toString());
    assertTrue(peer.reason().startsWith("tunnel protocol broken: "), peer.reason());
    assertTrue(peer.reason().contains(expected), peer.reason());
  }

  // ---- 3. a hostile server ----

  @Test
  void shouldResetTheLocalConnectionsAndSayWhyWhenTheServerBreaksTheProtocol()
      throws Exception {
    try (LogLines log = LogLines.capture(Level.INFO)) {
      // A plain pipe server that says something that is not a tunnel preamble on every pipe.
      PipeServer server = await(PipeServer.bind(testKit.system(), "127.0.0.1", 0,
          (id, pipe) -> {
            pipe.source().runWith(Sink.ignore(), testKit.system());
            Source.single(ByteString.fromString("SSH-2.0-hello\r\n"))
                .concat(Source.never())
                .runWith(pipe.sink(), testKit.system());
          }));
      try {
        ConnectTunnel connect = await(ConnectTunnel.start(testKit.system(), ANY,
            server.address(), Optional.empty()));
        String broke = "the other end broke the tunnel protocol";
        // connect dials at once: its first pipe breaks before any local connection came.
        awaitTrue(() -> log.containing(broke).size() == 1, () -> log.all().toString());
        for (int n = 2; n <= 3; n++) {
          // each local connection starts a new pipe, which breaks too and resets it
          LocalClient client = new LocalClient(testKit.system(), connect.address());
          Exception error = assertThrows(Exception.class, () -> await(client.done()));
          assertTrue(error.getCause() != null, error.toString());
          int lines = n;
          awaitTrue(() -> log.containing(broke).size() == lines, () -> log.all().toString());
        }
        List<String> said = log.containing(broke);
        for (String line : said) {
          assertTrue(line.startsWith("WARN io.backedpipe.tunnel.TunnelSession - tunnel "), line);
          assertTrue(line.contains("does not speak the tunnel protocol"), line);
        }
        // the pipes that carried a local connection reset it
        assertEquals(2, log.containing("; closing the tunnel connection and resetting its"
            + " 1 stream").size(), log.all().toString());
      } finally {
        server.unbind();
      }
    }
  }

  // ---- 4. max-streams ----

  @Test
  void shouldResetALocalConnectionBeyondMaxStreamsAndKeepTheOthers() throws Exception {
    ServeTunnel serve = await(ServeTunnel.start(testKit.system(), ANY, echo(),
        Optional.empty()));
    ConnectTunnel connect = await(ConnectTunnel.start(twoStreams.system(), ANY,
        serve.address(), Optional.empty()));
    Random random = new Random(5);
    List<LocalClient> clients = new ArrayList<>();
    List<ByteString> sent = new ArrayList<>();
    for (int i = 0; i < 2; i++) {
      clients.add(new LocalClient(testKit.system(), connect.address()));
      sent.add(ByteString.emptyByteString());
    }
    LocalClient.echoRound(testKit, clients, sent, random, 64 * 1024, TIMEOUT);
    try (LogLines log = LogLines.capture(Level.INFO)) {
      LocalClient third = new LocalClient(testKit.system(), connect.address());
      Exception error = assertThrows(Exception.class, () -> await(third.done()));
      assertTrue(error.getCause() != null, error.toString());
      awaitTrue(() -> !log.containing("is reset: 2 streams are open").isEmpty(),
          () -> log.all().toString());
      String line = log.containing("is reset: 2 streams are open").get(0);
      assertTrue(line.startsWith("WARN io.backedpipe.tunnel.TunnelSession - tunnel "), line);
      assertTrue(line.endsWith("the most one tunnel connection carries"
          + " (backed-pipe.tunnel.max-streams)"), line);
    }
    // the first two go on
    LocalClient.echoRound(testKit, clients, sent, random, 256 * 1024, TIMEOUT);
    for (int i = 0; i < clients.size(); i++) {
      assertEquals(sent.get(i), clients.get(i).received(), "stream " + i);
      clients.get(i).finish();
      await(clients.get(i).done());
    }
  }

  @Test
  void shouldResetAStreamBeyondTheServersMaxStreamsAndKeepThePipe() throws Exception {
    // a serve that carries at most 2 streams per tunnel connection, and a raw client opening
    // 1,002 in one piece: far more refusals than this side's own frames have room for at once
    // (72), which must wait for room, not close the pipe (a review found it did)
    ServeTunnel serve = await(ServeTunnel.start(twoStreams.system(), ANY, echo(),
        Optional.empty()));
    BackedPipe pipe = rawClient(serve.address());
    TestProbe<PipeEvent> events = testKit.createTestProbe();
    pipe.subscribe(events.ref());
    TestProbe<MuxFrame> frames = testKit.createTestProbe();
    io.backedpipe.tunnel.mux.MuxDecoder decoder = new io.backedpipe.tunnel.mux.MuxDecoder();
    pipe.source().runWith(Sink.foreach(bytes -> decoder.feed(bytes).forEach(frames.ref()::tell)),
        testKit.system());
    await(pipe.connect());
    int opened = 1002;
    ByteString burst = MuxCodec.preamble();
    for (int stream = 1; stream <= opened; stream++) {
      burst = burst.concat(MuxCodec.encode(new MuxFrame.Open(stream)));
    }
    Source.single(burst.concat(MuxCodec.encode(new MuxFrame.Data(1,
            ByteString.fromString("one")))))
        .concat(Source.never())
        .runWith(pipe.sink(), testKit.system());
    List<MuxFrame.Reset> resets = new ArrayList<>();
    ByteString echoed = ByteString.emptyByteString();
    while (resets.size() < opened - 2 || echoed.size() < 3) {
      MuxFrame frame = frames.receiveMessage(TIMEOUT);
      if (frame instanceof MuxFrame.Reset r) {
        resets.add(r);
      } else if (frame instanceof MuxFrame.Data d && d.stream() == 1) {
        echoed = echoed.concat(d.bytes());
      }
    }
    // stream 1 echoes; every stream beyond the second was reset with STREAM_LIMIT
    assertEquals(ByteString.fromString("one"), echoed);
    assertEquals(java.util.stream.IntStream.rangeClosed(3, opened).boxed().toList(),
        resets.stream().map(MuxFrame.Reset::stream).sorted().toList());
    MuxFrame.Reset reset = resets.get(0);
    assertTrue(resets.stream().allMatch(r -> r.code() == TunnelCloseCode.STREAM_LIMIT.code()),
        resets.toString());
    assertTrue(reset.reason().startsWith("too many streams: 2 are open"), reset.reason());
    // the pipe is not closed for it
    List<PipeEvent> seen = TunnelEvents.soFar(events);
    assertTrue(seen.stream().noneMatch(e -> e instanceof PipeEvent.Closed), seen.toString());
    pipe.close();
  }

  @Test
  void shouldCapNewStreamsWindowsByWhatIsLeftOfTheTunnelsBufferAndTakeItBackWhenOneEnds()
      throws Exception {
    ServeTunnel serve = await(ServeTunnel.start(smallBuffer.system(), ANY, echo(),
        Optional.empty()));
    BackedPipe pipe = rawClient(serve.address());
    TestProbe<MuxFrame> frames = testKit.createTestProbe();
    io.backedpipe.tunnel.mux.MuxDecoder decoder = new io.backedpipe.tunnel.mux.MuxDecoder();
    pipe.source().runWith(Sink.foreach(bytes -> decoder.feed(bytes).forEach(frames.ref()::tell)),
        testKit.system());
    await(pipe.connect());
    org.apache.pekko.stream.BoundedSourceQueue<ByteString> out = Source.<ByteString>queue(4096)
        .to(pipe.sink()).run(testKit.system());
    out.offer(MuxCodec.preamble()
        .concat(MuxCodec.encode(new MuxFrame.Open(1)))
        .concat(MuxCodec.encode(new MuxFrame.Open(2)))
        .concat(MuxCodec.encode(new MuxFrame.Open(3))));
    // 1 MiB windows at most, 64 KiB of each given anyway: the first stream may grow to 1 MiB, the
    // second to what is left of the 1.5 MiB (640 KiB), the third not beyond 64 KiB
    Credits credits = new Credits(out, frames);
    assertTrue(credits.pumpUntilCreditAbove(1, MuxCodec.INITIAL_CREDIT, 3),
        "the first stream's window never grew: " + credits);
    assertTrue(credits.granted[3] <= credits.sent[3], "the third stream got more than 64 KiB: "
        + credits);
    // the first stream ends; a new one gets its share back
    out.offer(MuxCodec.encode(new MuxFrame.Reset(1, TunnelCloseCode.LOCAL_FAILED.code(), "test"))
        .concat(MuxCodec.encode(new MuxFrame.Open(4))));
    assertTrue(credits.pumpUntilCreditAbove(4, MuxCodec.INITIAL_CREDIT, 3),
        "the fourth stream's window never grew: " + credits);
    assertTrue(credits.granted[3] <= credits.sent[3], "the third stream got more than 64 KiB: "
        + credits);
    pipe.close();
  }

  @Test
  void shouldEndAStreamWhoseLocalConnectionIsResetAfterItsEof() throws Exception {
    // A target that ignores the client's EOF and keeps writing, and local applications that send
    // EOF, then close while bytes still arrive (the kernel answers them with a reset). The
    // stream must end at both ends and free its slot: before the fix (found by a review) each
    // such stream stayed open for ever, and with max-streams = 2 the third connection was reset.
    TestProbe<String> target = testKit.createTestProbe();
    ByteString chatter = ByteString.fromArrayUnsafe(new byte[16 * 1024]);
    InetSocketAddress talker = await(Tcp.get(testKit.system()).bind("127.0.0.1", 0, 100,
            List.of(), true, Optional.empty())
        .to(Sink.foreach(c -> c.handleWith(Flow.fromSinkAndSourceMat(
                Sink.<ByteString>ignore(), Source.repeat(chatter), Keep.left())
            .watchTermination((mat, ended) -> {
              ended.whenComplete((done, error) -> target.ref().tell("ended"));
              return mat;
            }), testKit.system())))
        .run(testKit.system())).localAddress();
    ServeTunnel serve = await(ServeTunnel.start(testKit.system(), ANY, talker,
        Optional.empty()));
    ConnectTunnel connect = await(ConnectTunnel.start(twoStreams.system(), ANY, serve.address(),
        Optional.empty()));
    try {
      for (int i = 0; i < 3; i++) {
        try (java.net.Socket local = new java.net.Socket()) {
          local.connect(connect.address(), (int) TIMEOUT.toMillis());
          local.setSoTimeout((int) TIMEOUT.toMillis());
          // the stream is up: the target's bytes arrive (the third one proves a slot was free)
          assertTrue(local.getInputStream().read(new byte[1024]) > 0, "stream " + i);
          local.shutdownOutput(); // EOF; the target goes on writing
        } // closed with unread bytes: a reset
        assertEquals("ended", target.receiveMessage(TIMEOUT), "stream " + i);
      }
    } finally {
      await(connect.stop());
      await(serve.stop());
    }
  }

  @Test
  void shouldLetAKeystrokeOvertakeABulkStreamOnASlowLink() throws Exception {
    // 256 KiB/s each way between connect and serve; one stream echoes 1 MiB (4 s on the link
    // each way), and once it is under way another sends one byte. With a window of megabytes the
    // whole bulk sat in the pipe ahead of the byte, which came back only after the bulk (found on
    // a kernel-shaped link: src/test/netem/interactive.sh).
    ServeTunnel serve = await(ServeTunnel.start(testKit.system(), ANY, echo(), Optional.empty()));
    io.backedpipe.chaos.ChaosProxy proxy = await(io.backedpipe.chaos.ChaosProxy.start(
        testKit.system(), ANY, serve.address(), io.backedpipe.chaos.ChaosSchedule.none()
            .withConditions(new io.backedpipe.chaos.LinkConditions(Duration.ofMillis(10),
                256 * 1024, 256 * 1024, Duration.ofMinutes(1),
                io.backedpipe.chaos.DurationRange.NEVER,
                io.backedpipe.chaos.DurationRange.NEVER))));
    ConnectTunnel connect = await(ConnectTunnel.start(testKit.system(), ANY, proxy.address(),
        Optional.empty()));
    try {
      int bulkBytes = 1024 * 1024;
      LocalClient bulk = new LocalClient(testKit.system(), connect.address());
      ByteString chunk = random(new Random(5), 64 * 1024);
      for (int sent = 0; sent < bulkBytes; sent += chunk.size()) {
        bulk.send(chunk); // the client's queue takes 64 elements: all of them
      }
      awaitTrue(() -> bulk.received().size() >= 64 * 1024,
          () -> "the bulk echo never got under way");
      LocalClient keys = new LocalClient(testKit.system(), connect.address());
      await(keys.send(ByteString.fromString("k")));
      awaitTrue(() -> keys.received().size() == 1, () -> "the keystroke never came back");
      int bulkSoFar = bulk.received().size();
      assertTrue(bulkSoFar < bulkBytes, "the keystroke came back only after all " + bulkSoFar
          + " bytes of the bulk stream");
    } finally {
      await(connect.stop());
      await(proxy.stop());
      await(serve.stop());
    }
  }

  /**
   * A raw client's side of the streams' credit: it sends on two streams as far as their credit
   * goes, keeps count of what the server grants, and grants the server's echo back at once.
   */
  private static final class Credits {
    private static final int CHUNK = 32 * 1024;
    final long[] sent = new long[5];
    final long[] granted = new long[5];
    private final org.apache.pekko.stream.BoundedSourceQueue<ByteString> out;
    private final TestProbe<MuxFrame> frames;

    Credits(org.apache.pekko.stream.BoundedSourceQueue<ByteString> out,
        TestProbe<MuxFrame> frames) {
      this.out = out;
      this.frames = frames;
    }

    long credit(int stream) {
      return MuxCodec.INITIAL_CREDIT + granted[stream] - sent[stream];
    }

    /** Sends on {@code stream} and {@code other} until {@code stream}'s credit tops bytes. */
    boolean pumpUntilCreditAbove(int stream, long bytes, int other) {
      while (sent[stream] < 16L * 1024 * 1024) {
        if (credit(stream) > bytes) {
          return true;
        }
        for (int s : new int[] {stream, other}) {
          int chunk = (int) Math.min(CHUNK, credit(s));
          if (chunk > 0) {
            offer(MuxCodec.encode(new MuxFrame.Data(s, ByteString.fromArrayUnsafe(
                new byte[chunk]))));
            sent[s] += chunk;
          }
        }
        take(frames.receiveMessage(TIMEOUT));
        try {
          while (true) {
            take(frames.receiveMessage(Duration.ofMillis(1)));
          }
        } catch (AssertionError noMore) {
          // on to the next chunk
        }
      }
      return false;
    }

    private void take(MuxFrame frame) {
      if (frame instanceof MuxFrame.Credit c) {
        granted[c.stream()] += c.bytes();
      } else if (frame instanceof MuxFrame.Data d) {
        offer(MuxCodec.encode(new MuxFrame.Credit(d.stream(), d.bytes().size())));
      }
    }

    private void offer(ByteString bytes) {
      assertEquals(org.apache.pekko.stream.QueueOfferResult.enqueued(), out.offer(bytes));
    }

    @Override
    public String toString() {
      return "sent " + java.util.Arrays.toString(sent) + ", granted "
          + java.util.Arrays.toString(granted);
    }
  }
}
