package io.backedpipe.bench;

import io.backedpipe.BackedPipe;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.Done;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Backed pipes over Pekko TCP on loopback: one-way, both directions at once, and one-way with a
 * byte-identical check, clean or with the link aborted at a fixed interval. Each run uses a new
 * stream, connected before the clock starts, and closes both ends after.
 */
final class PipeThroughput {
  private static final long TIMEOUT_MINUTES = 10;

  private PipeThroughput() {}

  /** The result of a checked run. */
  record Checked(double seconds, long bytes, int aborts, long reconnects, boolean identical) {}

  /**
   * The client writes {@code totalBytes} (one {@code ByteString} repeated) and ends its output;
   * the server's side counts.
   *
   * @return seconds from the first write to the server's Source completing
   */
  static double oneWay(PipeHarness harness, int writeBytes, long totalBytes) throws Exception {
    UUID id = UUID.randomUUID();
    ByteCounter counter = new ByteCounter();
    CompletableFuture<BackedPipe> serverPipe = new CompletableFuture<>();
    CompletableFuture<Done> received = new CompletableFuture<>();
    BackedPipe client = harness.client(id, harness.dialer(id, harness.address()), pipe -> {
      serverPipe.complete(pipe);
      forward(pipe.source().runWith(Sink.foreach(counter), harness.system()), received);
    });
    client.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ByteString chunk = ByteString.fromArrayUnsafe(new byte[writeBytes]);
    long start = System.nanoTime();
    Source.repeat(chunk).take(totalBytes / writeBytes).runWith(client.sink(), harness.system());
    received.get(TIMEOUT_MINUTES, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - start) / 1e9;
    expect("pipe one-way", counter.bytes(), totalBytes);
    closeBoth(client, serverPipe);
    return seconds;
  }

  /**
   * Both sides write {@code totalBytes} at once and end their output; each counts what it reads.
   *
   * @return seconds until both Sources completed; the bytes moved are twice {@code totalBytes}
   */
  static double bothWays(PipeHarness harness, int writeBytes, long totalBytes) throws Exception {
    UUID id = UUID.randomUUID();
    ByteString chunk = ByteString.fromArrayUnsafe(new byte[writeBytes]);
    long writes = totalBytes / writeBytes;
    ByteCounter atServer = new ByteCounter();
    ByteCounter atClient = new ByteCounter();
    CompletableFuture<BackedPipe> serverPipe = new CompletableFuture<>();
    CompletableFuture<Done> serverRead = new CompletableFuture<>();
    CompletableFuture<Long> go = new CompletableFuture<>();
    BackedPipe client = harness.client(id, harness.dialer(id, harness.address()), pipe -> {
      serverPipe.complete(pipe);
      forward(pipe.source().runWith(Sink.foreach(atServer), harness.system()), serverRead);
      // The server starts writing when the client does, not at connect time.
      go.thenRun(() -> Source.repeat(chunk).take(writes).runWith(pipe.sink(), harness.system()));
    });
    client.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
    CompletionStage<Done> clientRead = client.source()
        .runWith(Sink.foreach(atClient), harness.system());
    serverPipe.get(10, TimeUnit.SECONDS);
    long start = System.nanoTime();
    go.complete(start);
    Source.repeat(chunk).take(writes).runWith(client.sink(), harness.system());
    serverRead.get(TIMEOUT_MINUTES, TimeUnit.MINUTES);
    clientRead.toCompletableFuture().get(TIMEOUT_MINUTES, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - start) / 1e9;
    expect("pipe both ways, at the server", atServer.bytes(), writes * writeBytes);
    expect("pipe both ways, at the client", atClient.bytes(), writes * writeBytes);
    closeBoth(client, serverPipe);
    return seconds;
  }

  /**
   * The client writes {@code totalBytes} of {@link StreamPattern}; the server checks every byte.
   * With a positive {@code faultIntervalMillis}, the client's connection is aborted that often
   * while the bytes move.
   */
  static Checked checked(PipeHarness harness, StreamPattern pattern, int writeBytes,
      long totalBytes, long faultIntervalMillis) throws Exception {
    UUID id = UUID.randomUUID();
    StreamPattern.Checker checker = pattern.new Checker();
    CompletableFuture<BackedPipe> serverPipe = new CompletableFuture<>();
    CompletableFuture<Done> received = new CompletableFuture<>();
    AbortableReconnector dialer =
        new AbortableReconnector(harness.dialer(id, harness.address()));
    BackedPipe client = harness.client(id, dialer, pipe -> {
      serverPipe.complete(pipe);
      forward(pipe.source().runWith(Sink.foreach(checker), harness.system()), received);
    });
    client.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
    AtomicInteger aborts = new AtomicInteger();
    ScheduledExecutorService faults = Executors.newSingleThreadScheduledExecutor(r -> {
      Thread thread = new Thread(r, "bench-faults");
      thread.setDaemon(true);
      return thread;
    });
    long start = System.nanoTime();
    if (faultIntervalMillis > 0) {
      faults.scheduleAtFixedRate(() -> {
        if (dialer.abort()) {
          aborts.incrementAndGet();
        }
      }, faultIntervalMillis, faultIntervalMillis, TimeUnit.MILLISECONDS);
    }
    Source.fromIterator(() -> pattern.writes(writeBytes, totalBytes))
        .runWith(client.sink(), harness.system());
    try {
      received.get(TIMEOUT_MINUTES, TimeUnit.MINUTES);
    } finally {
      faults.shutdownNow();
    }
    double seconds = (System.nanoTime() - start) / 1e9;
    long reconnects = client.status().toCompletableFuture().get(10, TimeUnit.SECONDS)
        .reconnectCount();
    boolean identical = checker.firstMismatch() < 0 && checker.position() == totalBytes;
    closeBoth(client, serverPipe);
    return new Checked(seconds, checker.position(), aborts.get(), reconnects, identical);
  }

  private static void forward(CompletionStage<Done> stage, CompletableFuture<Done> target) {
    stage.whenComplete((done, error) -> {
      if (error != null) {
        target.completeExceptionally(error);
      } else {
        target.complete(done);
      }
    });
  }

  private static void expect(String what, long got, long expected) {
    if (got != expected) {
      throw new IllegalStateException(what + ": received=" + got + " expected=" + expected);
    }
  }

  private static void closeBoth(BackedPipe client, CompletableFuture<BackedPipe> serverPipe)
      throws Exception {
    client.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    serverPipe.get(10, TimeUnit.SECONDS).close().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
