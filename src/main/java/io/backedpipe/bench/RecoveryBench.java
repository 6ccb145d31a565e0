package io.backedpipe.bench;

import io.backedpipe.chaos.ChaosProxy;
import io.backedpipe.chaos.ChaosSchedule;
import io.backedpipe.chaos.Fault;
import java.net.InetSocketAddress;
import java.time.Duration;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeStatus;
import io.backedpipe.Reconnector;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * How fast a pipe recovers: the reconnect latency over many forced aborts, the whole outage of a
 * reset and of a blackhole, and the time to replay a full window.
 *
 * <p>Each round breaks the link, then writes a small message at once; the message can only reach
 * the server's application over the new connection, so the time until it is delivered there is the
 * time from the fault to the first byte delivered on the new link.
 */
final class RecoveryBench {
  private static final ByteString PROBE = ByteString.fromString("probe!!!");

  private RecoveryBench() {}

  /**
   * The times of one round, in nanoseconds.
   *
   * @param fromDetected from the pipe's {@code Disconnected} event to the delivery
   * @param fromFault from the fault to the delivery
   */
  record Round(long fromDetected, long fromFault, int failedAttempts) {}

  /** A client pipe whose server side timestamps every delivery and whose events are watched. */
  static final class Probe implements AutoCloseable {
    private final BackedPipe client;
    private final BoundedSourceQueue<ByteString> writes;
    private final AtomicReference<CompletableFuture<Long>> delivered =
        new AtomicReference<>(new CompletableFuture<>());
    private final AtomicReference<CompletableFuture<Long>> disconnected =
        new AtomicReference<>(new CompletableFuture<>());
    private final CompletableFuture<BackedPipe> serverPipe = new CompletableFuture<>();
    /** Attempts that failed, each followed by the policy's backoff; only the events actor writes. */
    private final AtomicInteger failedAttempts = new AtomicInteger();

    Probe(PipeHarness harness, Reconnector dialer, UUID id) throws Exception {
      client = harness.client(id, dialer, pipe -> {
        serverPipe.complete(pipe);
        pipe.source().runWith(Sink.foreach(bytes -> delivered.get().complete(System.nanoTime())),
            harness.system());
      });
      ActorRef<PipeEvent> events = harness.system().systemActorOf(
          Behaviors.<PipeEvent>receiveMessage(event -> {
            if (event instanceof PipeEvent.Disconnected) {
              disconnected.get().complete(System.nanoTime());
            } else if (event instanceof PipeEvent.ReconnectFailed) {
              failedAttempts.incrementAndGet();
            }
            return Behaviors.same();
          }), "bench-events-" + id, Props.empty());
      client.subscribe(events);
      writes = Source.<ByteString>queue(16).toMat(client.sink(), Keep.left())
          .run(harness.system());
      client.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
      // One message before the first fault, so the server's side exists and reads.
      round(() -> { }, false);
    }

    /**
     * Breaks the link with {@code fault}, writes the probe message, and waits for its delivery.
     *
     * @param fault what breaks the link
     * @param expectDisconnect whether the fault makes the pipe report {@code Disconnected}
     * @return the round's times
     */
    Round round(Runnable fault, boolean expectDisconnect) throws Exception {
      delivered.set(new CompletableFuture<>());
      disconnected.set(new CompletableFuture<>());
      long start = System.nanoTime();
      fault.run();
      if (writes.offer(PROBE) != QueueOfferResult.enqueued()) {
        throw new IllegalStateException("the probe's write queue is full");
      }
      long at = delivered.get().get(60, TimeUnit.SECONDS);
      long detected = expectDisconnect
          ? disconnected.get().get(10, TimeUnit.SECONDS) : start;
      awaitAcknowledged();
      return new Round(at - detected, at - start, failedAttempts.get());
    }

    /**
     * Waits, outside the measured time, until the server has acknowledged every byte written: the
     * new connection then proved itself, so the next fault is a lost connection that reconnects at
     * once. Without this wait a fault that comes before the acknowledgement is the loss of an
     * unproven connection, which the policy answers with its backoff (by design: that is what
     * keeps a crash-looping server from being dialed in a tight loop), and the figure would be the
     * backoff's.
     */
    private void awaitAcknowledged() throws Exception {
      RecoveryBench.awaitAcknowledged(client, Duration.ofSeconds(10));
    }

    /**
     * Attempts that failed since the probe started.
     *
     * @return the count
     */
    int failedAttempts() {
      return failedAttempts.get();
    }

    @Override
    public void close() throws Exception {
      writes.complete();
      client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
      serverPipe.get(10, TimeUnit.SECONDS).close().toCompletableFuture()
          .get(10, TimeUnit.SECONDS);
    }
  }

  /**
   * Waits until the peer has acknowledged every byte {@code client} wrote.
   *
   * @param client the pipe
   * @param within how long it may take
   * @throws IllegalStateException when it takes longer
   */
  static void awaitAcknowledged(BackedPipe client, Duration within) throws Exception {
    long deadline = System.nanoTime() + within.toNanos();
    while (System.nanoTime() < deadline) {
      PipeStatus status = client.status().toCompletableFuture().get(10, TimeUnit.SECONDS);
      if (status.ackedPosition() == status.writePosition()) {
        return;
      }
    }
    throw new IllegalStateException("not acknowledged within " + within);
  }

  /**
   * Aborts the client's link {@code aborts} times, one after the other.
   *
   * @return every round, in order
   */
  static Round[] reconnects(PipeHarness harness, int aborts) throws Exception {
    UUID id = UUID.randomUUID();
    // the connections as users get them (one stream each), failed through their port
    AbortableReconnector dialer =
        AbortableReconnector.unwrapped(harness.dialer(id, harness.address()));
    Round[] rounds = new Round[aborts];
    try (Probe probe = new Probe(harness, dialer, id)) {
      for (int i = 0; i < aborts; i++) {
        rounds[i] = probe.round(dialer::abort, true);
      }
    }
    return rounds;
  }

  /**
   * Resets (or blackholes) the link through a proxy {@code rounds} times.
   *
   * @return every round, in order
   */
  static Round[] outages(PipeHarness harness, boolean blackhole, int rounds) throws Exception {
    UUID id = UUID.randomUUID();
    Round[] result = new Round[rounds];
    ChaosProxy proxy = ChaosProxy.start(harness.system(),
            new InetSocketAddress("127.0.0.1", 0), harness.address(), ChaosSchedule.none())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    // A stall of the open connections for longer than any round: bytes stop both ways and
    // nothing closes, so only the heartbeat can tell; the pipe's next connection is not held.
    // The proxy applies faults in its actor: the stats answer comes after the fault was applied,
    // so the probe written next cannot slip through the old connection.
    Runnable fault = () -> {
      proxy.inject(blackhole ? Fault.STALL : Fault.RESET, Duration.ofMinutes(1));
      proxy.stats().toCompletableFuture().join();
    };
    try (Probe probe = new Probe(harness, harness.dialer(id, proxy.address()), id)) {
      for (int i = 0; i < rounds; i++) {
        result[i] = probe.round(fault, true);
      }
    } finally {
      proxy.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    return result;
  }

  /**
   * Fills the window of a pipe whose link holds every outgoing frame back, aborts the link, and
   * times until the server's application has received the whole window.
   *
   * @param windowBytes the pipes' window
   * @return nanoseconds from the abort to the last byte delivered
   */
  static long replay(PipeHarness harness, int windowBytes) throws Exception {
    UUID id = UUID.randomUUID();
    AbortableReconnector dialer =
        new AbortableReconnector(harness.dialer(id, harness.address()));
    CompletableFuture<Long> allDelivered = new CompletableFuture<>();
    CompletableFuture<BackedPipe> serverPipe = new CompletableFuture<>();
    long[] received = new long[1]; // only the server's Source stage touches it
    BackedPipe client = harness.client(id, dialer, pipe -> {
      serverPipe.complete(pipe);
      pipe.source().runWith(Sink.foreach(bytes -> {
        received[0] += bytes.size();
        if (received[0] >= windowBytes) {
          allDelivered.complete(System.nanoTime());
        }
      }), harness.system());
    });
    client.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
    dialer.stall();
    CompletableFuture<Done> inWindow = Source.single(
            ByteString.fromArrayUnsafe(new byte[windowBytes]))
        .runWith(client.sink(), harness.system()).toCompletableFuture();
    inWindow.get(10, TimeUnit.SECONDS); // every byte is in the window, none reached the server
    long start = System.nanoTime();
    dialer.abort();
    long end = allDelivered.get(60, TimeUnit.SECONDS);
    client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    serverPipe.get(10, TimeUnit.SECONDS).close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    return end - start;
  }
}
