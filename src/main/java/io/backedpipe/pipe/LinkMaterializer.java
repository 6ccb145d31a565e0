package io.backedpipe.pipe;

import io.backedpipe.Connection;
import io.backedpipe.wire.Frame;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.typed.javadsl.ActorSink;
import org.apache.pekko.stream.typed.javadsl.ActorSource;

/**
 * Runs a {@link Connection} between a pipe's writer and reader: the writer feeds the connection
 * through an {@code ActorSource} with backpressure, the connection feeds the reader through an
 * {@code ActorSink} with backpressure, and every message either way carries the generation.
 *
 * <p>Stateless; used only by the supervisor's actor. The materializer belongs to the supervisor,
 * so every connection stream stops when the pipe's actor stops.
 */
final class LinkMaterializer {
  private final ActorRef<Writer.Command> writer;
  private final ActorRef<Reader.Command> reader;
  private final Materializer materializer;

  LinkMaterializer(
      ActorRef<Writer.Command> writer, ActorRef<Reader.Command> reader, Materializer materializer) {
    this.writer = writer;
    this.reader = reader;
    this.materializer = materializer;
  }

  /**
   * Starts {@code connection} as generation {@code generation} and tells the writer to replay.
   *
   * @param generation the generation of the attempt
   * @param connection the connection
   * @return the handle to tear it down
   */
  LinkHandle attach(long generation, Connection connection) {
    SharedKillSwitch killSwitch = KillSwitches.shared("pipe-connection-" + generation);
    SharedKillSwitch outgoingSwitch = KillSwitches.shared("pipe-outgoing-" + generation);
    Source<Frame, ActorRef<Frame>> outgoing =
        ActorSource.actorRefWithBackpressure(
            writer,
            new Writer.LinkDemand(generation),
            frame -> Optional.empty(),
            frame -> Optional.empty());
    Sink<Frame, ?> incoming =
        ActorSink.<Frame, Reader.Command, Reader.LinkAck>actorRefWithBackpressure(
            reader,
            (ack, frame) -> new Reader.Inbound(generation, ack, frame),
            ack -> new Reader.LinkStarted(generation, ack, connection.peerLimits()),
            Reader.LinkAck.INSTANCE,
            new Reader.LinkEnded(generation),
            error -> new Reader.LinkFailed(generation, error));
    Pair<ActorRef<Frame>, CompletionStage<Done>> link =
        outgoing
            .watchTermination(Keep.both())
            .via(outgoingSwitch.flow())
            .via(killSwitch.flow())
            .via(connection.frames())
            .via(killSwitch.flow())
            .to(incoming)
            .run(materializer);
    writer.tell(new Writer.Attach(generation, connection.peerReadPosition(),
        connection.peerHistoryCheck(), connection.peerLimits(), link.first()));
    return new LinkHandle(generation, killSwitch, outgoingSwitch, link.second());
  }

  /**
   * Closes a connection nobody will use (it arrived for an abandoned attempt).
   *
   * @param connection the connection
   */
  void discard(Connection connection) {
    connection.frames().runWith(Source.empty(), Sink.cancelled(), materializer);
  }
}
