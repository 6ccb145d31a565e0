package io.backedpipe.hostile;

import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.concurrent.ScheduledThreadPoolExecutor;
import java.util.concurrent.ThreadFactory;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.BiFunction;
import org.apache.pekko.util.ByteString;

/**
 * Plays generated {@link HostileCase}s against a server, {@code concurrency} connections at a
 * time, each on a plain blocking socket with a time limit, and reports how the server ended each
 * one.
 *
 * <pre>{@code
 * HostileReport report = HostileRun.run(server.address(), Optional.of(realStreamId), 100_000, 42,
 *     Duration.ofSeconds(5), 32);
 * System.out.println(report.summary());
 * assert report.count(HostileOutcome.FAILED) == 0;
 * }</pre>
 *
 * <p><b>Server settings for a run.</b> Most cases end within milliseconds: the client half-closes
 * after its bytes, or the server rejects them at once. Two kinds need the server's timers:
 * {@link HostileKind#STALLED_HANDSHAKE} ends only by {@code backed-pipe.transport.handshake-timeout},
 * and a case whose own stream's connection was taken over by a concurrent case may wait for the
 * heartbeat. So {@code perCaseTimeout} must exceed both the handshake timeout and the heartbeat
 * timeout, with a margin; a server with short ones (1 s and 2 s, say) makes a large run fast. The
 * own streams of the cases ({@link HostileInput}) stay hosted until the grace period reaps them: a
 * grace of a few seconds keeps a long run far below {@code max-pipes}.
 *
 * <p>Blocking: call it from a test or a command's thread, never from an actor. Thread-safe; every
 * call has its own threads, stopped before it returns.
 */
public final class HostileRun {
  private HostileRun() {}

  /**
   * Plays {@code cases} cases of seed {@code seed} against a server with the library's default DATA
   * limit (256 KiB) and empty proofs.
   *
   * @param server the server's address
   * @param protectedStream a real client's stream that no case may take over, if any
   * @param cases how many cases, indices {@code 0 .. cases-1}
   * @param seed the seed of the cases
   * @param perCaseTimeout how long one case's connection may stay open
   * @param concurrency connections at once
   * @return the report
   * @throws InterruptedException if the calling thread is interrupted
   */
  public static HostileReport run(InetSocketAddress server, Optional<UUID> protectedStream,
      int cases, long seed, Duration perCaseTimeout, int concurrency) throws InterruptedException {
    return run(server, new HostileInput(seed, protectedStream, 256 * 1024), cases, perCaseTimeout,
        concurrency, (hello, nonce) -> hello.proof());
  }

  /**
   * Plays {@code cases} cases of {@code input} against a server.
   *
   * @param server the server's address
   * @param input the generator (its DATA limit must be the server's)
   * @param cases how many cases, indices {@code 0 .. cases-1}
   * @param perCaseTimeout how long one case's connection may stay open
   * @param concurrency connections at once, at least 1
   * @param prover the proof a valid handshake sends for a CHALLENGE's nonce, given the HELLO with
   *     the generator's opaque proof (return that proof where the server checks none)
   * @return the report
   * @throws InterruptedException if the calling thread is interrupted
   */
  public static HostileReport run(InetSocketAddress server, HostileInput input, int cases,
      Duration perCaseTimeout, int concurrency,
      BiFunction<Frame.Hello, ByteString, ByteString> prover) throws InterruptedException {
    if (concurrency < 1) {
      throw new IllegalArgumentException("concurrency=" + concurrency + " must be >= 1");
    }
    ScheduledThreadPoolExecutor watchdog = new ScheduledThreadPoolExecutor(1, daemon("watchdog"));
    watchdog.setRemoveOnCancelPolicy(true); // most cases end long before their deadline
    ExecutorService workers = Executors.newFixedThreadPool(concurrency, daemon("worker"));
    HostileClient client = new HostileClient(server, new FrameCodec(input.maxDataBytes()),
        perCaseTimeout, watchdog, prover);
    AtomicInteger next = new AtomicInteger();
    long start = System.nanoTime();
    try {
      List<Future<HostileReport>> parts = new ArrayList<>();
      for (int w = 0; w < concurrency; w++) {
        parts.add(workers.submit(() -> {
          HostileReport part = new HostileReport();
          for (int i = next.getAndIncrement(); i < cases; i = next.getAndIncrement()) {
            part.add(client.play(input.generate(i)));
          }
          return part;
        }));
      }
      HostileReport report = new HostileReport();
      for (Future<HostileReport> part : parts) {
        report.merge(part.get());
      }
      report.finish(Duration.ofNanos(System.nanoTime() - start));
      return report;
    } catch (ExecutionException e) {
      throw new IllegalStateException("a hostile worker failed", e.getCause());
    } finally {
      workers.shutdownNow();
      watchdog.shutdownNow();
    }
  }

  private static ThreadFactory daemon(String role) {
    AtomicInteger count = new AtomicInteger();
    return task -> {
      Thread thread = new Thread(task, "hostile-" + role + "-" + count.incrementAndGet());
      thread.setDaemon(true);
      return thread;
    };
  }
}
