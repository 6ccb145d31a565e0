package io.backedpipe;

import java.util.Objects;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.pattern.StatusReply;

/**
 * What a pipe's actor understands: the public commands of a pipe. Spawn a pipe with
 * {@link BackedPipe#spawn} (which wraps these commands as {@code CompletionStage}s) or tell them to
 * its {@link BackedPipe#ref()} yourself. Each command with a {@code replyTo} is always answered.
 *
 * <p>The pipe's own actors implement further, internal messages of this interface; they are not
 * part of the API.
 */
public interface PipeCommand {

  /**
   * Connect a pipe that is not connected; joins an attempt in flight. Answers ack when connected,
   * or {@link AlreadyConnectedException}, {@link ReconnectFailedException},
   * {@link PipeClosedException}, or a data-loss error.
   *
   * @param replyTo who is told
   */
  public record Connect(ActorRef<StatusReply<Done>> replyTo) implements PipeCommand {}

  /**
   * Drop the current connection (if any) and make a new one; joins an attempt in flight.
   *
   * @param replyTo who is told, as for {@link Connect}
   */
  public record ForceReconnect(ActorRef<StatusReply<Done>> replyTo) implements PipeCommand {}

  /**
   * Attach a connection the accepting side received; a newer one replaces an older one. Answers the
   * local resume point (to send back in the handshake) once attached, or an error.
   *
   * @param connection the connection with the peer's read position
   * @param replyTo who is told
   */
  public record Accept(Connection connection, ActorRef<StatusReply<ResumePoint>> replyTo)
      implements PipeCommand {}

  /**
   * Close the pipe for good: reads complete, writes are refused, and bytes not yet acknowledged are
   * dropped. A connected pipe tells its peer first ({@code CLOSE} with {@code code} and
   * {@code reason}, ahead of any data not yet sent), so the peer's pipe closes too
   * ({@link DisconnectCause#CLOSED_BY_PEER}, with a {@link PeerClosedException}
   * carrying both) instead of waiting out its grace period. Idempotent: only the first close
   * counts. The first is answered at once; one sent again while the CLOSE is still on its way (the
   * connection is kept for it at most 5 s) is answered when that is over, so an owner that must not
   * stop the pipe before the peer was told can close twice and wait for the second answer.
   *
   * @param code why, for the peer: {@code 1..65535} ({@code 0} is the clean end, which the pipe
   *     sends by itself once both directions ended)
   * @param reason a human-readable reason; cut to the first 1024 bytes of UTF-8 on the wire
   * @param replyTo who is told (always ack)
   */
  public record Close(int code, String reason, ActorRef<StatusReply<Done>> replyTo)
      implements PipeCommand {
    /** The code of a close that gives none: the application closed the pipe. */
    public static final int CLOSED_BY_APPLICATION = 1;

    /**
     * Validates the code and the reason.
     *
     * @param code see the record's description
     * @param reason see the record's description
     * @param replyTo see the record's description
     * @throws IllegalArgumentException if the code is out of range
     * @throws NullPointerException if the reason or replyTo is {@code null}
     */
    public Close {
      requireCode(code);
      Objects.requireNonNull(reason, "reason");
      Objects.requireNonNull(replyTo, "replyTo");
    }

    /**
     * Checks a close code.
     *
     * @param code the code
     * @return the code
     * @throws IllegalArgumentException if it is not in {@code 1..65535}
     */
    public static int requireCode(int code) {
      if (code < 1 || code > 0xFFFF) {
        throw new IllegalArgumentException("code=" + code + " must be in 1..65535");
      }
      return code;
    }

    /**
     * A close with {@link #CLOSED_BY_APPLICATION} and a stock reason.
     *
     * @param replyTo who is told (always ack)
     */
    public Close(ActorRef<StatusReply<Done>> replyTo) {
      this(CLOSED_BY_APPLICATION, "closed by the application", replyTo);
    }
  }

  /**
   * Close the pipe for good because its owner gives up on it before its end (a server's grace
   * period passed, or the server stops): like {@link Close}, but the cause is
   * {@link DisconnectCause#EXPIRED}, so a Source still reading fails instead of completing, and a
   * connected peer is told with {@code CLOSE} code {@value #EXPIRED_CODE}. Idempotent.
   *
   * @param reason why, for the log and the peer
   * @param replyTo who is told (always ack)
   */
  public record Expire(String reason, ActorRef<StatusReply<Done>> replyTo) implements PipeCommand {}

  /** The CLOSE code of an {@link Expire}. */
  public static final int EXPIRED_CODE = 2;

  /**
   * Ask for a {@link PipeStatus}.
   *
   * @param replyTo who is told
   */
  public record GetStatus(ActorRef<PipeStatus> replyTo) implements PipeCommand {}

  /**
   * Read the pipe from an actor instead of a {@code Source}: answered with
   * {@link ReadReply.Opened}, after which the actor asks for bytes; see {@link ReadReply}. A pipe
   * has one reader at a time, so this is answered {@link ReadReply.Failed} with
   * {@link SourceAlreadyOpenException} while a Source or another actor reads it, and
   * {@link ReadReply.Completed} or {@link ReadReply.Failed} at once once it has closed. The pipe
   * watches the reading actor: one that stops without a {@link ReadRequest.Cancel} is let go,
   * and what it did not show consumed goes to the next reader.
   *
   * @param replyTo the reading actor
   */
  public record Read(ActorRef<ReadReply> replyTo) implements PipeCommand {
    /**
     * Checks the reader.
     *
     * @param replyTo see the record's description
     */
    public Read {
      Objects.requireNonNull(replyTo, "replyTo");
    }
  }

  /**
   * Send lifecycle events to {@code subscriber} until it stops or unsubscribes.
   *
   * @param subscriber who is told
   */
  public record Subscribe(ActorRef<PipeEvent> subscriber) implements PipeCommand {}

  /**
   * Send lifecycle events to {@code subscriber} as its own messages, {@code adapter.apply(event)},
   * until it stops or unsubscribes ({@link Unsubscribe} with the same reference). For a parent that
   * hosts many pipes: what the adapter wraps around the event tells the pipes apart, without a
   * forwarding actor per pipe (a message adapter is one per message class, so it cannot).
   *
   * <p>The adapter runs in the pipe's actor for every event: it must only build the message (no
   * state, no blocking, no exceptions).
   *
   * @param subscriber who is told
   * @param adapter turns an event into the subscriber's message
   * @param <T> the subscriber's message type
   */
  public record SubscribeAdapted<T>(ActorRef<T> subscriber,
      Function<PipeEvent, ? extends T> adapter) implements PipeCommand {
    /**
     * Checks the arguments.
     *
     * @param subscriber who is told
     * @param adapter turns an event into the subscriber's message
     */
    public SubscribeAdapted {
      Objects.requireNonNull(subscriber, "subscriber");
      Objects.requireNonNull(adapter, "adapter");
    }
  }

  /**
   * Stop sending events to {@code subscriber} (subscribed by either {@link Subscribe} or
   * {@link SubscribeAdapted}; references are compared by actor, so a narrowed one matches).
   *
   * @param subscriber who was told
   */
  public record Unsubscribe(ActorRef<PipeEvent> subscriber) implements PipeCommand {}
}
