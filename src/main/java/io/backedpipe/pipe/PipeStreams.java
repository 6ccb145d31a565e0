package io.backedpipe.pipe;

import io.backedpipe.PipeCommand;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * Stream views of a running pipe, built from its actor reference: the implementation of
 * {@link io.backedpipe.BackedPipe#sink()}, {@code source()} and {@code flow()}; use those. Each call returns a new
 * blueprint; every materialization talks to the pipe's writer or reader directly (not through the
 * supervisor) after a one-time introduction.
 */
public final class PipeStreams {
  private PipeStreams() {}

  /**
   * A Sink that writes into the pipe; see {@link io.backedpipe.BackedPipe#sink()}.
   *
   * @param pipe the pipe
   * @return the Sink
   */
  public static Sink<ByteString, CompletionStage<Done>> sink(ActorRef<PipeCommand> pipe) {
    return Sink.fromGraph(new WriteSinkStage(pipe));
  }

  /**
   * A Source of the bytes the peer wrote, in order, each exactly once. It completes after the
   * peer's end-of-stream or a close by the user, and fails when the pipe fails. One Source reads at
   * a time.
   *
   * @param pipe the pipe
   * @return the Source
   */
  public static Source<ByteString, NotUsed> source(ActorRef<PipeCommand> pipe) {
    return Source.fromGraph(new ReadSourceStage(pipe));
  }

  /**
   * The pipe as a Flow: elements in are written, elements out were read. The two sides end
   * independently (half-close).
   *
   * @param pipe the pipe
   * @return the Flow, whose value is the Sink's
   */
  public static Flow<ByteString, ByteString, CompletionStage<Done>> flow(
      ActorRef<PipeCommand> pipe) {
    return Flow.fromSinkAndSourceMat(sink(pipe), source(pipe), Keep.left());
  }
}
