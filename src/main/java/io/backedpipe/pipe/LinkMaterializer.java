package io.backedpipe.pipe;

import io.backedpipe.Connection;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Keep;

/**
 * Attaches a {@link Connection} to a pipe's writer and reader through a {@link LinkPort}, which
 * speaks their protocols and stamps every message with the generation. A connection of the
 * library's transports brings its port, already running with it (one stream per connection); any
 * other connection's frames are materialized here, behind a new port.
 *
 * <p>Used only by the supervisor's actor (its materializer is made there, on first need). The
 * materializer belongs to the supervisor, so every connection stream materialized here stops when
 * the pipe's actor stops; a transport's port watches the reader for the same end.
 */
final class LinkMaterializer {
  /** Never reached: a port materialized here is attached at once. */
  private static final Duration ATTACH_AT_ONCE = Duration.ofMinutes(1);

  private final ActorRef<Writer.Command> writer;
  private final ActorRef<Reader.Command> reader;
  private final ActorContext<?> context;
  /**
   * The supervisor's own materializer, made on first need: only a connection without a port
   * needs one, and a materializer is an actor of its own (about 0.7 KiB for the pipe's life).
   */
  private Materializer materializer;

  LinkMaterializer(
      ActorRef<Writer.Command> writer, ActorRef<Reader.Command> reader, ActorContext<?> context) {
    this.writer = writer;
    this.reader = reader;
    this.context = context;
  }

  private Materializer materializer() {
    if (materializer == null) {
      materializer = Materializer.createMaterializer(context);
    }
    return materializer;
  }

  /**
   * Attaches {@code connection} as generation {@code generation}: its port tells the writer to
   * replay ({@link Writer.Attach}) and the reader to read ({@link Reader.LinkStarted}).
   *
   * @param generation the generation of the attempt
   * @param connection the connection
   * @return the handle to tear it down
   */
  LinkHandle attach(long generation, Connection connection) {
    LinkPort port = connection.port().orElseGet(() -> LinkPort.stage(ATTACH_AT_ONCE)
        .joinMat(connection.frames(), Keep.left())
        .run(materializer()));
    port.attach(generation, writer, reader, connection);
    return new LinkHandle(generation, port);
  }

  /**
   * Closes a connection nobody will use (it arrived for an abandoned attempt); the materializer is
   * made only for a connection without a port.
   *
   * @param connection the connection
   */
  void discard(Connection connection) {
    connection.port().ifPresentOrElse(LinkPort::discard,
        () -> connection.discard(materializer()));
  }
}
