package io.backedpipe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.Connection;
import io.backedpipe.PipeSettings;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import io.backedpipe.wire.HandshakeStatus;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The registry alone, fed {@code Route}s directly (TcpLoopbackIT covers it over TCP). */
class PipeRegistryTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  /** Bounds every wait; no test relies on how long anything takes. */
  private static final long WAIT_SECONDS = 10;

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static Frame.Hello hello(UUID streamId) {
    return new Frame.Hello(FrameCodec.PROTOCOL_VERSION, streamId, true, 0, 0,
        ByteString.fromArray(new byte[Frame.Hello.NONCE_BYTES]), ByteString.emptyByteString());
  }

  /** A connection that takes every frame and sends none. */
  private static Connection idleConnection() {
    return new Connection(0, OptionalInt.empty(),
        Flow.fromSinkAndSource(Sink.ignore(), Source.maybe()));
  }

  private static PipeRegistry.Route route(UUID id, CompletableFuture<Frame.Welcome> welcome) {
    return new PipeRegistry.Route(ByteString.fromArray(new byte[Frame.Hello.NONCE_BYTES]),
        hello(id), idleConnection(), welcome, new InetSocketAddress("127.0.0.1", 40000));
  }

  /**
   * Issue 13: the pipe's answer to an {@code Accept} went back through the registry's mailbox
   * before the WELCOME went out: one more wait on every new stream and every reconnect, behind
   * whatever else the registry was doing for other pipes. Here the registry is held busy (inside
   * the next stream's {@code onNewPipe}) until the first stream's WELCOME is out: that WELCOME
   * must come without the registry.
   */
  @Test
  void shouldAnswerAnAcceptedHelloWhileTheRegistryIsBusy() throws Exception {
    UUID first = UUID.randomUUID();
    UUID second = UUID.randomUUID();
    CompletableFuture<Frame.Welcome> firstWelcome = new CompletableFuture<>();
    CountDownLatch firstAnswered = new CountDownLatch(1);
    firstWelcome.whenComplete((welcome, error) -> firstAnswered.countDown());
    CompletableFuture<Boolean> answeredWhileBusy = new CompletableFuture<>();
    ActorRef<PipeRegistry.Command> registry = testKit.spawn(PipeRegistry.create(
        ServerSettings.create(testKit.system()), PipeSettings.create(testKit.system()),
        Duration.ofSeconds(WAIT_SECONDS), Optional.empty(), (id, pipe) -> {
          if (id.equals(second)) { // the registry's own thread: it handles nothing meanwhile
            try {
              answeredWhileBusy.complete(firstAnswered.await(WAIT_SECONDS, TimeUnit.SECONDS));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
              answeredWhileBusy.complete(false);
            }
          }
        }));
    registry.tell(route(first, firstWelcome));
    registry.tell(route(second, new CompletableFuture<>()));

    assertTrue(answeredWhileBusy.get(2 * WAIT_SECONDS, TimeUnit.SECONDS),
        "the first WELCOME waited for the registry");
    Frame.Welcome welcome = firstWelcome.get(WAIT_SECONDS, TimeUnit.SECONDS);
    assertEquals(HandshakeStatus.OK, welcome.status());
    assertEquals(0, welcome.readPosition());
    testKit.stop(registry);
  }
}
