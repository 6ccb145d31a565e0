package io.backedpipe.bench;

import io.backedpipe.transport.TransportSettings;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * Plain Pekko Streams TCP one-way on loopback, with the socket options and the actor system (so the
 * Pekko TCP buffer settings) of the pipe cases it is compared with: the client streams one
 * {@code ByteString} over and over, the server counts. What the pipe adds to Pekko TCP is what the
 * ratio of the two shows.
 */
final class PekkoTcpOneWay {
  private PekkoTcpOneWay() {}

  /**
   * Moves {@code totalBytes} in writes of {@code writeBytes}.
   *
   * @param system the actor system (its TCP buffer settings apply)
   * @param transport the pipe's transport settings, for the socket options
   * @param writeBytes the size of each write
   * @param totalBytes the bytes to move, a multiple of {@code writeBytes}
   * @return seconds from the start of the writes to the server seeing the end
   * @throws Exception if the transfer fails
   */
  static double run(ActorSystem<?> system, TransportSettings transport, int writeBytes,
      long totalBytes) throws Exception {
    CompletableFuture<Long> received = new CompletableFuture<>();
    Tcp.ServerBinding binding = Tcp.get(system)
        .bind("127.0.0.1", 0, 100, transport.socketOptions(), false, Optional.empty())
        .to(Sink.foreach(incoming -> {
          ByteCounter counter = new ByteCounter();
          // The server never writes: Source.never keeps its side open until the client's end.
          CompletionStage<Done> done = incoming.handleWith(
              Flow.fromSinkAndSourceMat(Sink.foreach(counter), Source.never(), Keep.left()),
              system);
          done.whenComplete((ok, error) -> {
            if (error != null) {
              received.completeExceptionally(error);
            } else {
              received.complete(counter.bytes());
            }
          });
        }))
        .run(system)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    try {
      ByteString chunk = ByteString.fromArrayUnsafe(new byte[writeBytes]);
      long writes = totalBytes / writeBytes;
      long start = System.nanoTime();
      Source.repeat(chunk).take(writes)
          .via(Tcp.get(system).outgoingConnection(binding.localAddress(), Optional.empty(),
              transport.socketOptions(), true, Optional.empty(), Optional.empty()))
          .runWith(Sink.ignore(), system);
      long got = received.get(10, TimeUnit.MINUTES);
      double seconds = (System.nanoTime() - start) / 1e9;
      if (got != writes * writeBytes) {
        throw new IllegalStateException("pekko tcp received=" + got + " expected="
            + writes * writeBytes);
      }
      return seconds;
    } finally {
      binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
  }
}
