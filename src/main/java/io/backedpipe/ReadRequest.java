package io.backedpipe;

import java.util.Objects;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * What an actor that reads a pipe sends the reader named in {@link ReadReply.Opened}; see
 * {@link ReadReply} for the exchange. Each carries the very reference the actor gave in
 * {@link PipeCommand.Read} (a message adapter's, if it read through one): a request from any
 * other reference is ignored. The pipe's reader implements further, internal messages of this
 * interface; they are not part of the API.
 */
public interface ReadRequest {

  /**
   * Send the next bytes when there are some; answered with one {@link ReadReply.Delivered} (or the
   * end). Also says the previous delivery was consumed: it is counted as read from now on, so
   * send it only once that delivery was handled, and keep at most one outstanding (a second one
   * sent early counts a delivery still on its way as consumed).
   *
   * @param replyTo the reference that opened, as given in {@link PipeCommand.Read}
   */
  record Demand(ActorRef<ReadReply> replyTo) implements ReadRequest {
    /**
     * Checks the reader.
     *
     * @param replyTo see the record's description
     */
    public Demand {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * Stop reading, so that another reader may open.
   *
   * @param replyTo the reference that opened, as given in {@link PipeCommand.Read}
   * @param consumedLast whether the last {@link ReadReply.Delivered} was consumed; if not (it may
   *     still be on its way), those bytes go back to the front of the stream for the next reader
   */
  record Cancel(ActorRef<ReadReply> replyTo, boolean consumedLast) implements ReadRequest {
    /**
     * Checks the reader.
     *
     * @param replyTo see the record's description
     * @param consumedLast see the record's description
     */
    public Cancel {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }
}
