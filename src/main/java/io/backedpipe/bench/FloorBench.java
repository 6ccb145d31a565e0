package io.backedpipe.bench;

import io.backedpipe.transport.TransportSettings;
import java.lang.ref.Reference;
import java.net.InetSocketAddress;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * What the stack under the pipe costs with no pipe at all: the floors beneath issue 13's targets.
 * A reconnect cannot be faster than a Pekko TCP connect and the first byte over it; an idle pipe
 * cannot weigh less than the design's actors and a Pekko TCP connection with its stream. Both are
 * measured with the benchmark's own settings, next to the pipe's figures, so that the gap the pipe
 * adds is read off one report.
 */
final class FloorBench {
  private static final ByteString ONE_BYTE = ByteString.fromString("x");
  private static final long TIMEOUT_SECONDS = 10;
  private static final int DIAL_BATCH = 50; // below Pekko's default accept backlog (100)

  private FloorBench() {}

  /**
   * Heap per pipe of the design's bare shape, both ends: what is left for the pipe's own state.
   *
   * @param actorBytes three empty actors per end (a supervisor with two children), both ends
   * @param connectionBytes one plain Pekko TCP connection with its stream at each end
   */
  record Shape(double actorBytes, double connectionBytes) {
    /**
     * Both parts together.
     *
     * @return bytes per pipe, both ends
     */
    double totalBytes() {
      return actorBytes + connectionBytes;
    }
  }

  /**
   * Times plain Pekko TCP connections on loopback, each from the start of its connect until its
   * first byte arrives at the accepting end: the floor of the pipe's reconnect, which the
   * benchmark times to the same point (the first byte delivered on the new link) and which also
   * handshakes and replays. The server is bound on a free port of {@code system} and unbound
   * after; each connection closes once its byte is written.
   *
   * @param system where both ends run, as the pipe's do in the benchmark
   * @param transport the socket options of the pipe's connections
   * @param rounds connections measured, after as many unmeasured ones
   * @return milliseconds per connection
   * @throws Exception if a connection fails or times out
   */
  static Samples connectToFirstByte(ActorSystem<?> system, TransportSettings transport,
      int rounds) throws Exception {
    // One connection at a time: the one the next arrival belongs to.
    AtomicReference<CompletableFuture<Long>> arrival = new AtomicReference<>();
    Tcp tcp = Tcp.get(system);
    // The server's end sends nothing and closes when the client's end has (coupled): a close of
    // its own could race the client's byte, and one that waited for more would never close.
    Tcp.ServerBinding binding = tcp.bind("127.0.0.1", 0, 100, transport.socketOptions(), false,
            Optional.empty())
        .to(Sink.foreach(accepted -> accepted.handleWith(Flow.fromSinkAndSourceCoupled(
            Sink.foreach(bytes -> arrival.get().complete(System.nanoTime())),
            Source.maybe()), system)))
        .run(system).toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    try {
      InetSocketAddress address = binding.localAddress();
      for (int i = 0; i < rounds; i++) {
        connectOnce(system, transport, address, arrival);
      }
      double[] ms = new double[rounds];
      for (int i = 0; i < rounds; i++) {
        ms[i] = connectOnce(system, transport, address, arrival) / 1e6;
      }
      return Samples.of(ms);
    } finally {
      binding.unbind().toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    }
  }

  /**
   * One connection's nanoseconds from the connect to its byte at the server. Without half-close
   * the connection closes once the byte is written, so none is left open behind.
   */
  private static long connectOnce(ActorSystem<?> system, TransportSettings transport,
      InetSocketAddress address, AtomicReference<CompletableFuture<Long>> arrival)
      throws Exception {
    CompletableFuture<Long> arrived = new CompletableFuture<>();
    arrival.set(arrived);
    long start = System.nanoTime();
    CompletionStage<Done> closed = Source.single(ONE_BYTE)
        .via(Tcp.get(system).outgoingConnection(address, Optional.empty(),
            transport.socketOptions(), false, Optional.empty(), Optional.empty()))
        .runWith(Sink.ignore(), system);
    long at = arrived.get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    closed.toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
    return at - start;
  }

  /**
   * Measures the design's bare shape in an actor system of its own in this JVM: per pipe, each
   * end's three actors (the supervisor's place and its reader's and writer's, holding nothing),
   * then a plain Pekko TCP connection between the two ends, each end's stream only the TCP stage
   * and the least that keeps it open. Heap after a full collection, before and after each step.
   *
   * @param buffers the Pekko settings of the pipe's measurement
   * @param pipes how many
   * @return bytes per pipe, both ends
   * @throws Exception if a connection fails
   */
  static Shape bareShape(PekkoTuning buffers, int pipes) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench-floor",
        buffers.config());
    try {
      // Counted down as the server's ends start: a connect completes with the kernel's
      // handshake, before the server accepted the connection and started its stream.
      CountDownLatch serverEnds = new CountDownLatch(pipes);
      Tcp.ServerBinding binding = Tcp.get(system).bind("127.0.0.1", 0)
          .to(Sink.foreach(accepted -> {
            accepted.handleWith(Flow.<ByteString>create(), system);
            serverEnds.countDown();
          }))
          .run(system).toCompletableFuture().get(TIMEOUT_SECONDS, TimeUnit.SECONDS);
      List<Object> held = new ArrayList<>(); // reachable until measured: the fence below
      long empty = MemoryBench.heapAfterGc().getUsed();
      CountDownLatch started = new CountDownLatch(2 * pipes); // each once its children are spawned
      for (int i = 0; i < 2 * pipes; i++) {
        held.add(system.systemActorOf(endActors(started), "floor-end-" + i, Props.empty()));
      }
      await(started);
      long actors = MemoryBench.heapAfterGc().getUsed();
      List<CompletableFuture<?>> connected = new ArrayList<>();
      for (int i = 0; i < pipes; i++) {
        var ends = Source.<ByteString>maybe()
            .viaMat(Tcp.get(system).outgoingConnection(binding.localAddress().getHostString(),
                binding.localAddress().getPort()), Keep.both())
            .to(Sink.ignore())
            .run(system);
        held.add(ends.first());
        connected.add(ends.second().toCompletableFuture());
        if (connected.size() == DIAL_BATCH) {
          awaitAll(connected);
        }
      }
      awaitAll(connected);
      await(serverEnds);
      long connections = MemoryBench.heapAfterGc().getUsed();
      Reference.reachabilityFence(held);
      return new Shape((double) (actors - empty) / pipes,
          (double) (connections - actors) / pipes);
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  /** A supervisor that spawns a reader and a writer, all three holding nothing. */
  private static Behavior<Object> endActors(CountDownLatch spawned) {
    return Behaviors.setup(context -> {
      context.spawn(idle(), "reader");
      context.spawn(idle(), "writer");
      spawned.countDown();
      return idle();
    });
  }

  private static void await(CountDownLatch latch) throws Exception {
    if (!latch.await(60, TimeUnit.SECONDS)) {
      throw new IllegalStateException(latch.getCount() + " ends did not start within 60 s");
    }
  }

  private static Behavior<Object> idle() {
    return Behaviors.receiveMessage(message -> Behaviors.same());
  }

  private static void awaitAll(List<CompletableFuture<?>> futures) throws Exception {
    for (CompletableFuture<?> future : futures) {
      future.get(60, TimeUnit.SECONDS);
    }
    futures.clear();
  }
}
