package io.backedpipe.hostile;

import static org.junit.jupiter.api.Assertions.assertEquals;
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
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TransportSettings;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The hostile-input suite: 2,000 generated cases (fixed seed) against a server that also hosts a
 * real client's echo pipe, which streams and checks its bytes the whole time.
 *
 * <p>The server runs with a 1 s handshake timeout and a 2 s heartbeat timeout, so that the cases
 * that need a timer end quickly, and a 3 s grace period, so that the hostile client's own streams
 * are reaped soon after the run.
 */
class HostileInputIT {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final int CASES = 2000;
  private static final long SEED = 20240601L;
  private static final int MAX_PIPES = 64;
  private static final Duration TIMEOUT = Duration.ofSeconds(20);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void shouldCloseOrRefuseEveryHostileCaseAndKeepTheRealPipeIntact() throws Exception {
    TransportSettings transport = TransportSettings.create(testKit.system())
        .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(2))
        .withHandshakeTimeout(Duration.ofSeconds(1));
    PipeSettings pipeSettings = PipeSettings.create(testKit.system())
        .withWindowBytes(256 * 1024)
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(100)));
    ServerSettings serverSettings = ServerSettings.create(testKit.system())
        .withMaxPipes(MAX_PIPES).withGrace(Duration.ofSeconds(3))
        // all cases come from 127.0.0.1: lift the per-address caps so the input itself is tested
        .withMaxHandshakes(10_000, 10_000).withCreateRate(1e9, 1_000_000);
    UUID realId = UUID.randomUUID();
    CompletableFuture<BackedPipe> serverSide = new CompletableFuture<>();
    ConcurrentLinkedQueue<PipeEvent> serverEvents = new ConcurrentLinkedQueue<>();
    PipeServer server = PipeServer.bind(testKit.system(), "127.0.0.1", 0, serverSettings,
            pipeSettings, transport, (id, pipe) -> {
              if (id.equals(realId)) {
                pipe.subscribe(collector(serverEvents));
                serverSide.complete(pipe);
              }
              pipe.source().runWith(pipe.sink(), testKit.system());
            })
        .toCompletableFuture().get(5, TimeUnit.SECONDS);

    ConcurrentLinkedQueue<PipeEvent> clientEvents = new ConcurrentLinkedQueue<>();
    BackedPipe client = BackedPipe.of(testKit.spawn(BackedPipe.create(new TcpReconnector(
        testKit.system(), server.address(), realId, true, transport), pipeSettings)),
        testKit.system());
    client.subscribe(collector(clientEvents));
    await(client.connect());
    BackedPipe serverPipe = await(serverSide);

    // The real client streams until the hostile run is over, and keeps its pipe open after.
    CompletableFuture<HostileReport> hostile = new CompletableFuture<>();
    ConcurrentLinkedQueue<ByteString> received = new ConcurrentLinkedQueue<>();
    client.source().runWith(Sink.foreach(received::add), testKit.system());
    CompletionStage<List<ByteString>> sent = Source.unfold(0,
            i -> hostile.isDone() ? Optional.empty() : Optional.of(Pair.create(i + 1, chunk(i))))
        .throttle(100, Duration.ofSeconds(1))
        .alsoToMat(Sink.seq(), Keep.right())
        .concat(Source.never())
        .to(client.sink())
        .run(testKit.system());

    // Meanwhile: the pipe count and the real pipe's positions, every 50 ms.
    ConcurrentLinkedQueue<Sample> samples = new ConcurrentLinkedQueue<>();
    UniqueKillSwitch sampling = Source.tick(Duration.ZERO, Duration.ofMillis(50), "tick")
        .mapAsync(1, tick -> serverPipe.status().thenCombine(pipes(server), Sample::new))
        .viaMat(KillSwitches.single(), Keep.right())
        .to(Sink.foreach(samples::add))
        .run(testKit.system());

    HostileReport report;
    try {
      report = HostileRun.run(server.address(),
          new HostileInput(SEED, Optional.of(realId), io.backedpipe.wire.FrameCodec.MAX_DATA_BYTES), CASES,
          Duration.ofSeconds(6), 16, (hello, nonce) -> hello.proof());
      hostile.complete(report);
    } finally {
      hostile.complete(null);
    }
    System.out.println("hostile input suite: " + report.summary());

    assertEquals(CASES, report.cases());
    assertEquals(List.of(), report.failures(), report.summary());
    for (HostileKind kind : HostileKind.values()) {
      assertTrue(report.count(kind) > 0, "no case of " + kind);
    }

    // The real client's echo is byte-exact, and its pipe never closed nor was taken over.
    ByteString expected = concat(await(sent));
    TestProbe<Object> waiting = testKit.createTestProbe();
    waiting.awaitAssert(TIMEOUT, () -> {
      assertEquals(expected.size(), concat(new ArrayList<>(received)).size());
      return null;
    });
    assertEquals(expected, concat(new ArrayList<>(received)));
    assertTrue(expected.size() > 0);
    assertTrue(clientEvents.stream().noneMatch(e -> e instanceof PipeEvent.Closed),
        clientEvents.toString());
    assertTrue(serverEvents.stream().noneMatch(e -> e instanceof PipeEvent.Closed
        || e instanceof PipeEvent.Disconnected d && d.cause() == DisconnectCause.TAKEN_OVER),
        serverEvents.toString());

    // Positions only moved forward, and consistently; the pipe count stayed within the limit.
    sampling.shutdown();
    List<Sample> seen = new ArrayList<>(samples);
    assertTrue(seen.size() > 10, "samples: " + seen.size());
    Sample previous = null;
    for (Sample sample : seen) {
      PipeStatus s = sample.status();
      assertTrue(s.readPosition() <= s.receivedPosition(), s.toString());
      assertTrue(s.ackedPosition() <= s.writePosition(), s.toString());
      assertTrue(sample.pipes() <= MAX_PIPES, "pipes=" + sample.pipes());
      if (previous != null) {
        PipeStatus p = previous.status();
        assertTrue(s.readPosition() >= p.readPosition(), p + " then " + s);
        assertTrue(s.receivedPosition() >= p.receivedPosition(), p + " then " + s);
        assertTrue(s.writePosition() >= p.writePosition(), p + " then " + s);
        assertTrue(s.ackedPosition() >= p.ackedPosition(), p + " then " + s);
      }
      previous = sample;
    }
    PipeStatus last = await(serverPipe.status());
    assertTrue(last.receivedPosition() <= expected.size(), last.toString());

    // Once the hostile client's own streams are reaped, only the real pipe is left.
    waiting.awaitAssert(TIMEOUT, () -> {
      assertEquals(1, await(pipes(server)));
      return null;
    });
    server.unbind();
  }

  /** The server-side real pipe's status and the number of hosted pipes, at one moment. */
  private record Sample(PipeStatus status, int pipes) {}

  private static CompletionStage<Integer> pipes(PipeServer server) {
    return AskPattern.ask(server.registry(), PipeRegistry.CountPipes::new, Duration.ofSeconds(5),
        testKit.system().scheduler());
  }

  private static ActorRef<PipeEvent> collector(ConcurrentLinkedQueue<PipeEvent> events) {
    return testKit.spawn(Behaviors.receiveMessage(event -> {
      events.add(event);
      return Behaviors.same();
    }));
  }

  private static ByteString chunk(int index) {
    Random random = new Random(SEED + index);
    byte[] bytes = new byte[1 + random.nextInt(8 * 1024)];
    random.nextBytes(bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }

  private static ByteString concat(List<ByteString> chunks) {
    return chunks.stream().reduce(ByteString.emptyByteString(), ByteString::concat);
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }
}
