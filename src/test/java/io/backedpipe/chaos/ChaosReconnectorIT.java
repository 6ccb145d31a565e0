package io.backedpipe.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.server.PipeServer;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TransportSettings;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The chaos kit as a stage between a pipe and its TCP transport: faults by hand, every byte back. */
class ChaosReconnectorIT {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(20, TimeUnit.SECONDS);
  }

  @Test
  void shouldEchoEveryByteThroughResetsCutsStallsAndLimits() throws Exception {
    TransportSettings transport = TransportSettings.create(testKit.system())
        .withHeartbeat(Duration.ofMillis(100), Duration.ofMillis(500));
    PipeSettings settings = PipeSettings.create(testKit.system())
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(100)));
    PipeServer server = await(PipeServer.bind(testKit.system(), "127.0.0.1", 0,
        io.backedpipe.server.ServerSettings.create(testKit.system()), settings, transport,
        (id, pipe) -> pipe.source().runWith(pipe.sink(), testKit.system())));
    ChaosReconnector chaos = ChaosReconnector.wrap(testKit.system(), new TcpReconnector(
        testKit.system(), server.address(), UUID.randomUUID(), true, transport),
        ChaosSchedule.none());
    BackedPipe pipe = BackedPipe.of(testKit.spawn(BackedPipe.create(chaos, settings)),
        testKit.system());
    TestProbe<PipeEvent> events = testKit.createTestProbe();
    pipe.subscribe(events.ref());
    await(pipe.connect());
    SourceQueueWithComplete<ByteString> out = Source.<ByteString>queue(16,
        OverflowStrategy.backpressure()).toMat(pipe.sink(), Keep.left()).run(testKit.system());
    java.util.concurrent.atomic.AtomicReference<ByteString> received =
        new java.util.concurrent.atomic.AtomicReference<>(ByteString.emptyByteString());
    CompletionStage<org.apache.pekko.Done> echoed = pipe.source()
        .runWith(Sink.foreach(b -> received.updateAndGet(r -> r.concat(b))), testKit.system());
    ByteString sent = ByteString.emptyByteString();
    Fault[] faults = {Fault.RESET, Fault.CUT, Fault.STALL, Fault.BANDWIDTH, Fault.DELAY,
        Fault.CLOSE};
    for (int round = 0; round < faults.length; round++) {
      byte[] chunk = new byte[64 * 1024];
      new java.util.Random(round).nextBytes(chunk);
      sent = sent.concat(ByteString.fromArrayUnsafe(chunk));
      // The fault goes on a link that is up: a connected pipe's link was registered with the
      // chaos controller before the pipe attached it. (Injected after the chunk, a fault could
      // land while the previous fault's reconnect was under way, on no link at all.)
      events.awaitAssert(Duration.ofSeconds(20), () -> {
        assertEquals(io.backedpipe.PipeState.CONNECTED, await(pipe.status()).state());
        return null;
      });
      chaos.inject(faults[round], Duration.ofMillis(200));
      await(out.offer(ByteString.fromArrayUnsafe(chunk)));
      int size = sent.size();
      events.awaitAssert(Duration.ofSeconds(20), () -> {
        assertEquals(size, received.get().size());
        return null;
      });
    }
    out.complete();
    await(echoed); // ends with the server's end of stream after ours
    assertEquals(sent, received.get());
    ChaosStats stats = await(chaos.stats());
    assertTrue(stats.resets() + stats.cuts() + stats.stalls() + stats.limits() + stats.delays()
        + stats.closes() >= faults.length, stats.toString());
    events.fishForMessage(Duration.ofSeconds(10), e -> e instanceof PipeEvent.Connected c
        && c.reconnectCount() > 0 ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore());
    chaos.stop();
    server.unbind();
  }
}
