package io.backedpipe.tunnel;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Random;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.OverflowStrategy;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.SourceQueueWithComplete;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * A local application of the tunnel in a test: a TCP connection whose bytes the test offers, whose
 * replies it collects, and which it can end with an EOF or a reset.
 */
final class LocalClient {
  private final SourceQueueWithComplete<ByteString> out;
  private final UniqueKillSwitch killSwitch;
  private final AtomicReference<ByteString> received =
      new AtomicReference<>(ByteString.emptyByteString());
  private final CompletionStage<Done> done;

  LocalClient(ActorSystem<?> system, InetSocketAddress address) {
    Pair<Pair<SourceQueueWithComplete<ByteString>, UniqueKillSwitch>, CompletionStage<Done>> run =
        Source.<ByteString>queue(64, OverflowStrategy.backpressure())
            .viaMat(KillSwitches.single(), Keep.both())
            // half-close: our EOF must not cut what comes back
            .via(Tcp.get(system).outgoingConnection(address, Optional.empty(), List.of(), true,
                Optional.empty(), Optional.empty()))
            .toMat(Sink.foreach(bytes -> received.updateAndGet(r -> r.concat(bytes))),
                Keep.both())
            .run(system);
    this.out = run.first().first();
    this.killSwitch = run.first().second();
    this.done = run.second();
  }

  /** Writes bytes; completes once the stream took them. */
  CompletionStage<?> send(ByteString bytes) {
    return out.offer(bytes);
  }

  /** Sends EOF. */
  void finish() {
    out.complete();
  }

  /** Fails the connection, which resets it. */
  void reset() {
    killSwitch.abort(new java.io.IOException("test: local reset"));
  }

  /** Every byte received so far. */
  ByteString received() {
    return received.get();
  }

  /** Completes on the peer's EOF, fails when the connection fails. */
  CompletionStage<Done> done() {
    return done;
  }

  /**
   * One round of an echo test: sends a random chunk of {@code chunkBytes} to every client, adds it
   * to what that client sent, and waits until each got back as many bytes as it sent.
   *
   * @param testKit waits with its probes
   * @param clients the clients, each of an echo stream
   * @param sent what each client sent so far; updated
   * @param random where the chunks come from
   * @param chunkBytes the size of each chunk
   * @param within how long each client may take
   */
  static void echoRound(ActorTestKit testKit, List<LocalClient> clients, List<ByteString> sent,
      Random random, int chunkBytes, Duration within) throws Exception {
    for (int i = 0; i < clients.size(); i++) {
      byte[] chunk = new byte[chunkBytes];
      random.nextBytes(chunk);
      sent.set(i, sent.get(i).concat(ByteString.fromArrayUnsafe(chunk)));
      clients.get(i).send(ByteString.fromArrayUnsafe(chunk)).toCompletableFuture()
          .get(within.toMillis(), TimeUnit.MILLISECONDS);
    }
    for (int i = 0; i < clients.size(); i++) {
      int size = sent.get(i).size();
      LocalClient client = clients.get(i);
      testKit.createTestProbe().awaitAssert(within, () -> {
        assertEquals(size, client.received().size());
        return null;
      });
    }
  }
}
