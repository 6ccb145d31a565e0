package io.backedpipe.chaos;

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
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The hostile-input soak: a large run of {@link HostileRun} against an in-process server that also
 * hosts a real echo client, with the figures {@code docs/reliability.md} quotes. Arguments: cases
 * (100000), seed (1), concurrency (32).
 *
 * <pre>
 * mvn -B -o -q test-compile org.codehaus.mojo:exec-maven-plugin:3.6.3:java \
 *     -Dexec.mainClass=io.backedpipe.chaos.HostileSoak -Dexec.classpathScope=test \
 *     -Dexec.args="100000 1 32"
 * </pre>
 */
public final class HostileSoak {
  private HostileSoak() {}

  /**
   * Runs the soak and prints its report.
   *
   * @param args cases, seed, concurrency
   * @throws Exception if the server cannot start
   */
  public static void main(String[] args) throws Exception {
    int cases = args.length > 0 ? Integer.parseInt(args[0]) : 100_000;
    long seed = args.length > 1 ? Long.parseLong(args[1]) : 1;
    int concurrency = args.length > 2 ? Integer.parseInt(args[2]) : 32;
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "hostile-soak");
    try {
      soak(system, cases, seed, concurrency);
    } finally {
      system.terminate();
    }
  }

  private static void soak(ActorSystem<Void> system, int cases, long seed, int concurrency)
      throws Exception {
    TransportSettings transport = TransportSettings.create(system)
        .withHeartbeat(Duration.ofMillis(500), Duration.ofSeconds(2))
        .withHandshakeTimeout(Duration.ofSeconds(1));
    PipeSettings pipeSettings = PipeSettings.create(system).withWindowBytes(1024 * 1024)
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(100)));
    ServerSettings serverSettings = ServerSettings.create(system).withGrace(Duration.ofSeconds(5));
    UUID realId = UUID.randomUUID();
    ConcurrentLinkedQueue<PipeEvent> serverEvents = new ConcurrentLinkedQueue<>();
    CompletableFuture<BackedPipe> serverSide = new CompletableFuture<>();
    PipeServer server = PipeServer.bind(system, "127.0.0.1", 0, serverSettings, pipeSettings,
        transport, (id, pipe) -> {
          if (id.equals(realId)) {
            pipe.subscribe(system.systemActorOf(Behaviors.receiveMessage(e -> {
              serverEvents.add(e);
              return Behaviors.same();
            }), "real-events", org.apache.pekko.actor.typed.Props.empty()));
            serverSide.complete(pipe);
          }
          pipe.source().runWith(pipe.sink(), system);
        }).toCompletableFuture().get(5, TimeUnit.SECONDS);
    BackedPipe client = BackedPipe.of(system.systemActorOf(BackedPipe.create(new TcpReconnector(
        system, server.address(), realId, true, transport), pipeSettings), "real-client",
        org.apache.pekko.actor.typed.Props.empty()), system);
    client.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
    BackedPipe serverPipe = serverSide.get(10, TimeUnit.SECONDS);

    // The real client streams a counting byte sequence and checks every byte of the echo.
    CompletableFuture<Void> done = new CompletableFuture<>();
    AtomicLong sentBytes = new AtomicLong();
    AtomicLong checkedBytes = new AtomicLong();
    AtomicInteger mismatches = new AtomicInteger();
    client.source().runWith(Sink.foreach(chunk -> {
      for (int i = 0; i < chunk.size(); i++) {
        if (chunk.apply(i) != (byte) checkedBytes.getAndIncrement()) {
          mismatches.incrementAndGet();
        }
      }
    }), system);
    Source.repeat(0).takeWhile(x -> !done.isDone()).throttle(200, Duration.ofSeconds(1))
        .map(x -> {
          byte[] chunk = new byte[4096];
          long from = sentBytes.getAndAdd(chunk.length);
          for (int i = 0; i < chunk.length; i++) {
            chunk[i] = (byte) (from + i);
          }
          return ByteString.fromArrayUnsafe(chunk);
        })
        .concat(Source.never())
        .runWith(client.sink(), system);

    // The pipe count, sampled every second; the heap retained before and after (after a GC).
    AtomicInteger maxPipes = new AtomicInteger();
    long heapBefore = retainedHeap();
    Source.tick(Duration.ZERO, Duration.ofSeconds(1), "tick").takeWhile(t -> !done.isDone())
        .mapAsync(1, t -> pipes(system, server))
        .runWith(Sink.foreach(n -> maxPipes.accumulateAndGet(n, Math::max)), system);

    HostileReport report = HostileRun.run(server.address(),
        new HostileInput(seed, Optional.of(realId), transport.maxDataBytes()), cases,
        Duration.ofSeconds(6), concurrency, (hello, nonce) -> hello.proof());
    done.complete(null);
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (checkedBytes.get() < sentBytes.get() && System.nanoTime() < deadline) {
      Thread.onSpinWait();
    }
    while (pipes(system, server).toCompletableFuture().get(5, TimeUnit.SECONDS) > 1
        && System.nanoTime() < deadline + TimeUnit.SECONDS.toNanos(30)) {
      Thread.onSpinWait(); // until the grace period has reaped the hostile client's own streams
    }
    int pipesAfter = pipes(system, server).toCompletableFuture().get(5, TimeUnit.SECONDS);
    long heapAfter = retainedHeap();
    PipeStatus real = serverPipe.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
    PipeStatus mine = client.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
    System.out.println(report.summary());
    System.out.printf("real client: sent %d bytes, checked %d, mismatches %d, reconnects %d,"
            + " state %s; server side: %s%n", sentBytes.get(), checkedBytes.get(),
        mismatches.get(), mine.reconnectCount(), mine.state(), real);
    System.out.printf("server pipe events: taken over %d, closed %d; most pipes hosted %d, %d"
            + " after the grace period; heap retained before %d MiB, after %d MiB;"
            + " %d case/s at concurrency %d%n",
        serverEvents.stream().filter(e -> e instanceof PipeEvent.Disconnected d
            && d.cause() == DisconnectCause.TAKEN_OVER).count(),
        serverEvents.stream().filter(PipeEvent.Closed.class::isInstance).count(),
        maxPipes.get(), pipesAfter, heapBefore >> 20, heapAfter >> 20,
        report.cases() * 1000 / Math.max(1, report.duration().toMillis()), concurrency);
    server.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static long retainedHeap() {
    System.gc(); // a soak figure, not a test: what is still referenced after a full collection
    return java.lang.management.ManagementFactory.getMemoryMXBean().getHeapMemoryUsage().getUsed();
  }

  private static java.util.concurrent.CompletionStage<Integer> pipes(ActorSystem<?> system,
      PipeServer server) {
    return AskPattern.ask(server.registry(), PipeRegistry.CountPipes::new, Duration.ofSeconds(5),
        system.scheduler());
  }
}
