package io.backedpipe.cli;

import io.backedpipe.BackedPipe;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.ThrottleMode;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * One direction of one soak pipe: the writing end streams seeded chunks until a deadline and then
 * ends its output; the reading end checks every byte against the same seed, optionally at a slow
 * pace. The counters are read by the report on another thread, hence atomic.
 */
final class SoakDirection {
  private final AtomicLong sent = new AtomicLong();
  private final AtomicLong received = new AtomicLong();
  private final StreamChecker checker;
  private CompletionStage<Done> written;
  private CompletionStage<Done> read;

  private SoakDirection(long seed, int chunkBytes) {
    this.checker = new StreamChecker(new SeededBytes(seed, chunkBytes));
  }

  /**
   * Starts writing into {@code writer} and reading from {@code reader}.
   *
   * @param system runs the streams
   * @param writer the pipe that writes this direction
   * @param reader the pipe at the other end
   * @param seed the data's seed
   * @param chunkBytes the size of each write
   * @param deadlineNanos when to stop writing ({@link System#nanoTime})
   * @param writeBytesPerSecond the writer's pace, 0 for as fast as the pipe accepts
   * @param slowBytesPerSecond the reader's pace, 0 for as fast as it can
   * @return the running direction
   */
  static SoakDirection start(ActorSystem<?> system, BackedPipe writer, BackedPipe reader,
      long seed, int chunkBytes, long deadlineNanos, long writeBytesPerSecond,
      long slowBytesPerSecond) {
    SoakDirection d = new SoakDirection(seed, chunkBytes);
    d.read = d.reading(system, reader, slowBytesPerSecond);
    d.written = paced(SeededBytes.source(seed, chunkBytes), writeBytesPerSecond)
        .takeWhile(chunk -> System.nanoTime() < deadlineNanos)
        .map(chunk -> {
          d.sent.addAndGet(chunk.size());
          return chunk;
        })
        .runWith(writer.sink(), system);
    return d;
  }

  /** The bytes at a pace (for a slow link, whose backlog must drain soon after the deadline). */
  private static Source<ByteString, ?> paced(Source<ByteString, ?> bytes, long bytesPerSecond) {
    if (bytesPerSecond == 0) {
      return bytes;
    }
    int burst = (int) Math.min(Integer.MAX_VALUE, bytesPerSecond);
    return bytes.throttle(burst, Duration.ofSeconds(1), burst, ByteString::size,
        ThrottleMode.shaping());
  }

  private CompletionStage<Done> reading(ActorSystem<?> system, BackedPipe reader,
      long slowBytesPerSecond) {
    Source<ByteString, ?> bytes = reader.source();
    if (slowBytesPerSecond > 0) {
      int burst = (int) Math.min(Integer.MAX_VALUE, slowBytesPerSecond);
      bytes = bytes.throttle(burst, Duration.ofSeconds(1), burst, ByteString::size,
          ThrottleMode.shaping());
    }
    return bytes.runWith(Sink.foreach(chunk -> {
      checker.accept(chunk);
      received.addAndGet(chunk.size());
    }), system);
  }

  long sent() {
    return sent.get();
  }

  long received() {
    return received.get();
  }

  /** The first wrong byte, or -1; read once {@link #read} completed. */
  long firstMismatch() {
    return checker.firstMismatch();
  }

  CompletionStage<Done> written() {
    return written;
  }

  CompletionStage<Done> read() {
    return read;
  }
}
