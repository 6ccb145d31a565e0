package io.backedpipe.bench;

import com.typesafe.config.ConfigFactory;
import io.backedpipe.AlreadyConnectedException;
import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.PipeStatus;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TransportSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.Writer;
import java.lang.management.ManagementFactory;
import java.lang.management.MemoryUsage;
import java.net.InetSocketAddress;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Heap per idle connected pipe, and the most pipes one server holds in a 1 GiB heap.
 *
 * <p>The server runs in a child JVM ({@link ServerProbe}, {@code -Xmx1g}, same classpath and TCP
 * buffers); the clients run here, in an actor system of their own that is shut down after. Clients
 * are dialed in batches; at each asked-for count both heaps are measured after a full GC, and the
 * growth over the empty baseline divided by the count is the heap per pipe on each side. Then the
 * dialing goes on, a thousand at a time, until the server refuses, dies (it exits on an
 * {@code OutOfMemoryError}), nears its heap limit, or the cap is reached.
 */
final class MemoryBench {
  private static final int BATCH = 50; // below the server's accept backlog (100)
  /** Pipes that carry their traffic at once in {@link #afterTraffic}. */
  private static final int TRAFFIC_BATCH = 100;

  /**
   * One measurement.
   *
   * @param pipes connected pipes
   * @param clientBytes this JVM's heap growth over the baseline
   * @param serverBytes the server's heap growth over its baseline
   * @param serverUsed the server's heap used after GC
   * @param serverMax the server's heap limit
   */
  record Point(int pipes, long clientBytes, long serverBytes, long serverUsed, long serverMax) {}

  /**
   * The result.
   *
   * @param points the measurements at the asked-for counts
   * @param most the most pipes the server held
   * @param mostPoint the measurement there
   * @param stoppedBecause why the dialing stopped
   */
  record Result(List<Point> points, int most, Point mostPoint, String stoppedBecause) {}

  private MemoryBench() {}

  /** This JVM's heap after a full collection (two, so that finalizable garbage goes too). */
  static MemoryUsage heapAfterGc() {
    System.gc();
    System.gc();
    return ManagementFactory.getMemoryMXBean().getHeapMemoryUsage();
  }

  /** The server probe in its child JVM and this JVM's client actor system, for one measurement. */
  private static final class Session implements AutoCloseable {
    final Process child;
    final ActorSystem<Void> system;
    final BufferedReader fromChild;
    final Writer toChild;
    final InetSocketAddress server;
    final ServerHeap serverHeap;

    Session(PekkoTuning buffers, boolean echo) throws Exception {
      String java = ProcessHandle.current().info().command().orElse("java");
      List<String> command = new ArrayList<>(List.of(java, "-Xmx1g",
          "-XX:+ExitOnOutOfMemoryError", "-cp", System.getProperty("java.class.path")));
      command.add(ServerProbe.class.getName());
      command.addAll(buffers.probeArguments());
      if (echo) {
        command.add(ServerProbe.ECHO);
      }
      child = new ProcessBuilder(command).redirectError(ProcessBuilder.Redirect.DISCARD).start();
      // Stopping many thousands of pipes and connections takes longer than the default 10 s.
      system = ActorSystem.create(Behaviors.empty(), "bench-memory",
          ConfigFactory.parseString(
                  "pekko.coordinated-shutdown.phases.actor-system-terminate.timeout = 120s")
              .withFallback(buffers.config()));
      fromChild = new BufferedReader(
          new InputStreamReader(child.getInputStream(), StandardCharsets.UTF_8));
      toChild = new OutputStreamWriter(child.getOutputStream(), StandardCharsets.UTF_8);
      String first = fromChild.readLine();
      if (first == null || !first.startsWith("port ")) {
        close();
        throw new IllegalStateException("server probe did not start: " + first);
      }
      server = new InetSocketAddress("127.0.0.1", Integer.parseInt(first.substring(5)));
      serverHeap = new ServerHeap(fromChild, toChild);
    }

    @Override
    public void close() throws Exception {
      try {
        system.terminate();
        system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      } finally {
        child.destroy();
        child.waitFor(10, TimeUnit.SECONDS);
        fromChild.close();
        toChild.close();
      }
    }
  }

  static Result run(PekkoTuning buffers, List<Integer> counts, int cap) throws Exception {
    try (Session session = new Session(buffers, false)) {
      ActorSystem<Void> system = session.system;
      long clientBase = heapAfterGc().getUsed();
      long[] serverBase = session.serverHeap.measure();
      PipeSettings settings = PipeSettings.create(system);
      TransportSettings transport = TransportSettings.create(system);
      List<BackedPipe> clients = new ArrayList<>();
      List<Point> points = new ArrayList<>();
      Point last = null;
      String stopped = "the cap of " + cap + " pipes";
      List<Integer> targets = new ArrayList<>(counts);
      for (int next = ((counts.get(counts.size() - 1) / 1000) + 1) * 1000; next <= cap;
          next += 1000) {
        targets.add(next);
      }
      for (int target : targets) {
        String failure = dial(system, session.server, settings, transport, clients, target);
        long[] s = session.serverHeap.measure();
        if (s == null) {
          stopped = "the server ran out of heap";
          break;
        }
        Point point = new Point((int) s[2], heapAfterGc().getUsed() - clientBase,
            s[0] - serverBase[0], s[0], s[1]);
        if (counts.contains(target)) {
          points.add(point);
        }
        last = point;
        if (failure != null) {
          stopped = failure;
          break;
        }
        if (s[0] > s[1] * 0.9) {
          stopped = "the server's heap passed 90% of its limit";
          break;
        }
      }
      for (BackedPipe client : clients) {
        client.close();
      }
      return new Result(points, last == null ? 0 : last.pipes(), last, stopped);
    }
  }

  /**
   * Heap per pipe once {@code pipes} pipes each carried {@code bytes} each way and went idle: the
   * server echoes, each client writes its bytes through a queue, reads them back and keeps its
   * output open, so every pipe stays connected with its streams running and nothing
   * unacknowledged.
   *
   * @param buffers the Pekko settings of both JVMs
   * @param pipes how many pipes
   * @param bytes what each carries each way
   * @return the measurement
   * @throws Exception if the server cannot start or a pipe fails
   */
  static Point afterTraffic(PekkoTuning buffers, int pipes, int bytes) throws Exception {
    try (Session session = new Session(buffers, true)) {
      ActorSystem<Void> system = session.system;
      long clientBase = heapAfterGc().getUsed();
      long[] serverBase = session.serverHeap.measure();
      List<BackedPipe> clients = new ArrayList<>();
      String failure = dial(system, session.server, PipeSettings.create(system),
          TransportSettings.create(system), clients, pipes);
      if (failure != null) {
        throw new IllegalStateException(failure);
      }
      byte[] random = new byte[64 * 1024];
      new java.util.Random(1).nextBytes(random);
      ByteString chunk = ByteString.fromArrayUnsafe(random); // shared: it weighs nothing per pipe
      // A batch at a time: a thousand pipes echoing at once can hold their windows' worth in the
      // server's 1 GiB (a slice pins its whole 1 MiB read), and a server that ran out of heap
      // left the echoes waiting for ever (it exits on OutOfMemoryError).
      for (int from = 0; from < clients.size(); from += TRAFFIC_BATCH) {
        List<CompletableFuture<Long>> echoes = new ArrayList<>();
        for (BackedPipe client : clients.subList(from,
            Math.min(clients.size(), from + TRAFFIC_BATCH))) {
          // The application's writer as the README has it: a bounded queue kept open (one stage;
          // a Source.repeat().take().concat(Source.never()) weighed 2 KiB more per pipe).
          int chunks = Math.max(1, bytes / chunk.size());
          BoundedSourceQueue<ByteString> writer = Source.<ByteString>queue(chunks)
              .toMat(client.sink(), Keep.left()).run(system);
          for (int i = 0; i < chunks; i++) {
            writer.offer(chunk);
          }
          echoes.add(client.source()
              .scan(0L, (n, received) -> n + received.size())
              .filter(n -> n >= bytes)
              .runWith(Sink.head(), system).toCompletableFuture());
        }
        for (CompletableFuture<Long> echo : echoes) {
          echo.get(300, TimeUnit.SECONDS);
        }
      }
      awaitAcknowledged(clients);
      long[] s = session.serverHeap.measure(); // the probe waits for its own acknowledgements
      Point point = new Point((int) s[2], heapAfterGc().getUsed() - clientBase,
          s[0] - serverBase[0], s[0], s[1]);
      for (BackedPipe client : clients) {
        client.close();
      }
      return point;
    }
  }

  /**
   * Waits until every pipe's peer acknowledged all it was sent: until then the replay buffer holds
   * the last bytes (up to {@code ack-every-bytes}, for {@code ack-interval}), and they would be
   * counted as the heap of an idle pipe. Gives up after 30 s (the figure then includes them).
   *
   * @param pipes the pipes
   * @throws Exception if a status cannot be had
   */
  static void awaitAcknowledged(List<BackedPipe> pipes) throws Exception {
    long deadlineNs = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    for (BackedPipe pipe : pipes) {
      while (System.nanoTime() - deadlineNs < 0) {
        PipeStatus status = pipe.status().toCompletableFuture().get(30, TimeUnit.SECONDS);
        if (status.ackedPosition() >= status.writePosition()) {
          break;
        }
        CompletableFuture.runAsync(() -> { },
            CompletableFuture.delayedExecutor(10, TimeUnit.MILLISECONDS)).get(); // ask again soon
      }
    }
  }

  /** Dials clients until there are {@code target}; the reason it could not, or null. */
  private static String dial(ActorSystem<?> system, InetSocketAddress server,
      PipeSettings settings, TransportSettings transport, List<BackedPipe> clients, int target)
      throws Exception {
    while (clients.size() < target) {
      List<BackedPipe> batch = new ArrayList<>();
      int n = Math.min(BATCH, target - clients.size());
      for (int i = 0; i < n; i++) {
        UUID id = UUID.randomUUID();
        batch.add(BackedPipe.of(system.systemActorOf(BackedPipe.create(
            new TcpReconnector(system, server, id, true, transport), settings),
            "idle-" + id, Props.empty()), system));
      }
      clients.addAll(batch);
      String failure = connectAll(batch);
      if (failure != null) {
        return "a connect failed at " + clients.size() + " pipes: " + failure;
      }
    }
    return null;
  }

  /**
   * Connects every pipe, asking again a few times for those whose first attempt failed (a
   * handshake can time out while the machine is busy; the pipe's own policy retries too).
   */
  private static String connectAll(List<BackedPipe> pipes) throws Exception {
    List<BackedPipe> pending = pipes;
    Throwable last = null;
    for (int round = 0; round < 4 && !pending.isEmpty(); round++) {
      List<CompletableFuture<Throwable>> results = new ArrayList<>();
      for (BackedPipe pipe : pending) {
        // Null when connected, or already connected by the pipe's own retry.
        results.add(pipe.connect().toCompletableFuture().handle((done, error) ->
            error == null || error instanceof AlreadyConnectedException
                || error.getCause() instanceof AlreadyConnectedException ? null : error));
      }
      List<BackedPipe> failed = new ArrayList<>();
      for (int i = 0; i < results.size(); i++) {
        Throwable error = results.get(i).get(120, TimeUnit.SECONDS);
        if (error != null) {
          failed.add(pending.get(i));
          last = error;
        }
      }
      pending = failed;
    }
    return pending.isEmpty() ? null : pending.size() + " of " + pipes.size() + " would not connect"
        + " (" + last + ")";
  }

  /** Asks the child for its heap after GC over its standard input and output. */
  private record ServerHeap(BufferedReader in, Writer out) {
    /** {@code {used, max, pipes}}, or null if the child is gone. */
    long[] measure() throws Exception {
      String line;
      try {
        out.write("heap\n");
        out.flush();
        line = in.readLine();
      } catch (java.io.IOException gone) {
        return null;
      }
      if (line == null) {
        return null;
      }
      String[] parts = line.split(" ");
      return new long[] {Long.parseLong(parts[1]), Long.parseLong(parts[2]),
          Long.parseLong(parts[3])};
    }
  }
}
