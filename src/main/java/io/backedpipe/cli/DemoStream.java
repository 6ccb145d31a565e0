package io.backedpipe.cli;

import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * One of the demo's client connections: it writes seeded chunks to the tunnel's local port, then
 * EOF, and checks every byte the echo sends back until the echo's EOF.
 */
final class DemoStream {
  private final int index;
  private final long expected;
  private final StreamChecker checker;
  /** Read by the progress line on another thread; the checker itself is the stream's alone. */
  private final AtomicLong received = new AtomicLong();
  private final CompletionStage<Done> done;

  private DemoStream(int index, long chunks, int chunkBytes, long seed,
      InetSocketAddress local, ActorSystem<?> system) {
    this.index = index;
    this.expected = chunks * chunkBytes;
    this.checker = new StreamChecker(new SeededBytes(seed, chunkBytes));
    Source<ByteString, ?> data = SeededBytes.source(seed, chunkBytes).take(chunks);
    // Half-close: our EOF after the last chunk must not stop the echo coming back.
    this.done = data
        .via(Tcp.get(system).outgoingConnection(local, Optional.empty(), java.util.List.of(), true,
            Optional.empty(), Optional.empty()))
        .runWith(Sink.foreach(bytes -> {
          checker.accept(bytes);
          received.addAndGet(bytes.size());
        }), system);
  }

  /**
   * Starts a stream.
   *
   * @param index the stream's number, from 0
   * @param chunks how many chunks it sends
   * @param chunkBytes the size of each
   * @param seed the seed of its data
   * @param local the tunnel's local port
   * @param system runs the connection
   * @return the running stream
   */
  static DemoStream start(int index, long chunks, int chunkBytes, long seed,
      InetSocketAddress local, ActorSystem<?> system) {
    return new DemoStream(index, chunks, chunkBytes, seed, local, system);
  }

  int index() {
    return index;
  }

  long expected() {
    return expected;
  }

  long received() {
    return received.get();
  }

  /** The first byte that differed from what was sent, or -1. Valid once {@link #done} completed. */
  long firstMismatch() {
    return checker.firstMismatch();
  }

  /** Completes with the echo's EOF, or fails with the connection. */
  CompletionStage<Done> done() {
    return done;
  }
}
