package io.backedpipe;

import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.util.ByteString;

/**
 * What a pipe tells an actor that reads it ({@link BackedPipe#read}, {@link PipeCommand.Read}):
 * the reading side of a pipe for an actor, with the same guarantees as {@link BackedPipe#source()}
 * (which is built on it) and one actor hop fewer per delivery.
 *
 * <p>The exchange: the pipe answers {@link PipeCommand.Read} with {@link Opened} (or at once with
 * {@link Completed} or {@link Failed}); the actor then sends {@link ReadRequest.Demand} to the
 * reader it names and gets one {@link Delivered} per demand, while bytes come. Asking for more is
 * what tells the pipe the previous delivery was consumed: only then is it counted as read and
 * acknowledged to the peer, so an actor that stops between the two loses nothing: the pipe
 * watches its reader, and the next reader gets those bytes first (the pipe hears of the stop by
 * death watch, so a reader that opens in the moment before is refused as the second one). {@link ReadRequest.Cancel} ends reading and lets another reader
 * open. A pipe has one reader at a time, Source or actor: a second one is answered
 * {@link Failed} with {@link SourceAlreadyOpenException}.
 */
public sealed interface ReadReply {

  /**
   * Reading may start: send {@link ReadRequest.Demand} to {@code reader} for bytes.
   *
   * @param reader the pipe's reader
   */
  record Opened(ActorRef<ReadRequest> reader) implements ReadReply {
    /**
     * Checks the reader.
     *
     * @param reader see the record's description
     */
    public Opened {
      Objects.requireNonNull(reader, "reader");
    }
  }

  /**
   * The next bytes of the stream, answering one {@link ReadRequest.Demand}.
   *
   * @param bytes the bytes, never empty
   */
  record Delivered(ByteString bytes) implements ReadReply {
    /**
     * Checks the bytes.
     *
     * @param bytes see the record's description
     */
    public Delivered {
      Objects.requireNonNull(bytes, "bytes");
    }
  }

  /**
   * The peer's stream ended and every byte was delivered (and shown consumed), or the pipe was
   * closed by the user. Nothing more comes to this reader.
   */
  enum Completed implements ReadReply {
    /** The only instance. */
    INSTANCE
  }

  /**
   * Reading ends with an error: the pipe closed for another reason than a clean end, or another
   * reader is open. Nothing more comes to this reader.
   *
   * @param error why
   */
  record Failed(PipeException error) implements ReadReply {
    /**
     * Checks the error.
     *
     * @param error see the record's description
     */
    public Failed {
      Objects.requireNonNull(error, "error");
    }
  }
}
