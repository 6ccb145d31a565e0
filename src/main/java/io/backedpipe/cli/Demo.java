package io.backedpipe.cli;

import com.typesafe.config.Config;
import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.PipeStatus;
import io.backedpipe.pipe.PipeSupervisor;
import io.backedpipe.testing.InMemoryReconnector;
import io.backedpipe.testing.TestLink;
import java.time.Duration;
import java.util.Locale;
import java.util.SplittableRandom;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.SpawnProtocol;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The demo, in one process: a client pipe and a server pipe joined by in-memory links, a fault
 * injector that keeps breaking the link, the server echoing every byte, and the client streaming
 * seeded pseudo-random data and checking every byte that comes back. Ends with a verdict; exits 0
 * only when every byte matched.
 *
 * <p>Settings come from {@code backed-pipe.demo} (see {@code application.conf}); arguments such as
 * {@code bytes=64MiB fault-interval=100ms} override them, and {@code backed-pipe.window-bytes=1MiB}
 * any other setting.
 */
public final class Demo {
  private static final double MB = 1_000_000.0;

  private Demo() {}

  /**
   * Runs the demo and exits with 0 on a passing verdict, 1 otherwise.
   *
   * @param args {@code path=value} overrides of the configuration
   * @throws Exception if the actor system cannot start or stop
   */
  public static void main(String[] args) throws Exception {
    Config config = ToolConfig.load(args, "backed-pipe.demo");
    DemoSettings demo = DemoSettings.fromConfig(config.getConfig("backed-pipe.demo"));
    ActorSystem<SpawnProtocol.Command> system =
        ActorSystem.create(SpawnProtocol.create(), "backed-pipe-demo", config);
    boolean passed = false;
    try {
      passed = new Demo().run(system, demo, PipeSettings.create(system));
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
    System.exit(passed ? 0 : 1);
  }

  private boolean run(ActorSystem<SpawnProtocol.Command> system, DemoSettings demo,
      PipeSettings settings) throws Exception {
    ActorRef<FaultInjector.Command> injector = spawn(system,
        FaultInjector.create(demo.faultInterval(), new SplittableRandom(demo.seed())), "faults");
    ActorRef<TestLink> links = spawn(system, Behaviors.<TestLink>receiveMessage(link -> {
      injector.tell(new FaultInjector.NewLink(link));
      return Behaviors.same();
    }), "links");
    BackedPipe server = BackedPipe.of(
        spawn(system, BackedPipe.createAccepting(settings), "server"), system);
    BackedPipe client = BackedPipe.of(spawn(system, BackedPipe.create(
        new InMemoryReconnector(system, server.ref(), links), settings), "client"), system);

    System.out.printf(Locale.ROOT, "backed-pipe demo: echo %s through a pipe whose link breaks"
            + " every %d ms (seed %d, window %s)%n",
        size(demo.bytes()), demo.faultInterval().toMillis(), demo.seed(),
        size(settings.windowBytes()));
    server.source().runWith(server.sink(), system); // the echo
    // The injector may break the very first connection too; the pipe's policy retries by itself.
    client.connect().exceptionally(error -> Done.getInstance())
        .toCompletableFuture().get(10, TimeUnit.SECONDS);

    long chunks = (demo.bytes() + demo.chunkBytes() - 1) / demo.chunkBytes();
    SeededBytes sent = new SeededBytes(demo.seed(), demo.chunkBytes());
    long start = System.nanoTime();
    Source.fromIterator(() -> new java.util.Iterator<ByteString>() {
      private long produced;

      @Override
      public boolean hasNext() {
        return produced < chunks;
      }

      @Override
      public ByteString next() {
        produced++;
        return sent.next();
      }
    }).runWith(client.sink(), system);

    StreamChecker checker = new StreamChecker(new SeededBytes(demo.seed(), demo.chunkBytes()));
    AtomicLong received = new AtomicLong();
    CompletionStage<Done> done = client.source().runWith(Sink.foreach(bytes -> {
      checker.accept(bytes);
      received.addAndGet(bytes.size());
    }), system);

    long expected = chunks * demo.chunkBytes();
    boolean finished = awaitWithProgress(done.toCompletableFuture(), demo, expected, received,
        start, injector, client, system);
    double seconds = (System.nanoTime() - start) / 1e9;
    PipeStatus status = client.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
    long faults = faults(injector, system);
    long checked = checker.checked();
    boolean passed = finished && checked == expected && checker.firstMismatch() < 0;
    printVerdict(passed, expected, checked, checker.firstMismatch(), faults, status, seconds);
    client.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
    server.close().toCompletableFuture().get(5, TimeUnit.SECONDS);
    return passed;
  }

  private boolean awaitWithProgress(CompletableFuture<Done> done, DemoSettings demo,
      long expected, AtomicLong received, long start, ActorRef<FaultInjector.Command> injector,
      BackedPipe client, ActorSystem<?> system) throws Exception {
    boolean terminal = System.console() != null;
    long deadline = start + demo.timeLimit().toNanos();
    while (System.nanoTime() < deadline) {
      try {
        done.get(demo.progressInterval().toMillis(), TimeUnit.MILLISECONDS);
        if (terminal) {
          System.out.println();
        }
        return true;
      } catch (TimeoutException stillRunning) {
        double seconds = (System.nanoTime() - start) / 1e9;
        PipeStatus status = client.status().toCompletableFuture().get(5, TimeUnit.SECONDS);
        String line = String.format(Locale.ROOT,
            "%6.1fs  echoed %s of %s  %7.1f MB/s  faults %d  reconnects %d",
            seconds, size(received.get()), size(expected), received.get() / MB / seconds,
            faults(injector, system), status.reconnectCount());
        System.out.print(terminal ? "\r" + line : line + System.lineSeparator());
        System.out.flush();
      }
    }
    System.out.println();
    System.out.println("time limit reached: " + demo.timeLimit());
    return false;
  }

  private static long faults(ActorRef<FaultInjector.Command> injector, ActorSystem<?> system)
      throws Exception {
    CompletionStage<Long> count = AskPattern.ask(injector, FaultInjector.GetFaults::new,
        Duration.ofSeconds(5), system.scheduler());
    return count.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static void printVerdict(boolean passed, long expected, long checked,
      long firstMismatch, long faults, PipeStatus status, double seconds) {
    System.out.printf(Locale.ROOT, "verdict: %s%n", passed ? "PASS" : "FAIL");
    System.out.printf(Locale.ROOT, "  bytes checked    %d (%s), sent %d%n", checked,
        size(checked), expected);
    System.out.printf(Locale.ROOT, "  lost             %d%n", Math.max(0, expected - checked));
    System.out.printf(Locale.ROOT, "  duplicated       %d%n", Math.max(0, checked - expected));
    System.out.printf(Locale.ROOT, "  corrupted        %s%n",
        firstMismatch < 0 ? "0" : "from byte " + firstMismatch);
    System.out.printf(Locale.ROOT, "  faults injected  %d%n", faults);
    System.out.printf(Locale.ROOT, "  reconnects       %d%n", status.reconnectCount());
    System.out.printf(Locale.ROOT, "  throughput       %.1f MB/s echoed (%.1f s)%n",
        checked / MB / seconds, seconds);
  }

  private static String size(long bytes) {
    return bytes >= 1 << 20
        ? String.format(Locale.ROOT, "%.1f MiB", bytes / (double) (1 << 20))
        : String.format(Locale.ROOT, "%d KiB", bytes >> 10);
  }

  private static <T> ActorRef<T> spawn(ActorSystem<SpawnProtocol.Command> system,
      Behavior<T> behavior, String name) throws Exception {
    CompletionStage<ActorRef<T>> spawned = AskPattern.ask(system,
        replyTo -> new SpawnProtocol.Spawn<>(behavior, name, Props.empty(), replyTo),
        Duration.ofSeconds(5), system.scheduler());
    return spawned.toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
