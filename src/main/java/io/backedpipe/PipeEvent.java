package io.backedpipe;

import java.time.Duration;
import java.util.Optional;

/**
 * Lifecycle events a pipe sends to its subscribers ({@code Subscribe}). Events of one pipe arrive in
 * the order they happened.
 */
public sealed interface PipeEvent {

  /**
   * A connection was attached and the replay (if any) has been handed to it.
   *
   * @param generation the connection's generation
   * @param peerReadPosition where the peer resumed reading
   * @param replayedBytes bytes this side re-sent because the peer had not received them
   * @param reconnectCount connections attached after the first one, this one included
   */
  record Connected(long generation, long peerReadPosition, long replayedBytes, long reconnectCount)
      implements PipeEvent {}

  /**
   * The connection of {@code generation} ended.
   *
   * @param generation the generation that ended
   * @param cause why it ended
   * @param error the failure behind it, if any
   */
  record Disconnected(long generation, DisconnectCause cause, Optional<Throwable> error)
      implements PipeEvent {}

  /**
   * A reconnect attempt started.
   *
   * @param generation the generation the attempt will have if it succeeds
   * @param attempt the attempt number since the last connection that proved itself, from 1
   */
  record Reconnecting(long generation, int attempt) implements PipeEvent {}

  /**
   * A reconnect attempt failed.
   *
   * @param attempt the attempt number, from 1
   * @param error why it failed
   * @param nextAttemptIn the backoff before the next attempt, or empty when the policy gave up
   */
  record ReconnectFailed(int attempt, PipeException error, Optional<Duration> nextAttemptIn)
      implements PipeEvent {}

  /**
   * Bytes have waited on the connection of {@code generation} for an acknowledgement, and none
   * moved the window, for {@code ack-stall-timeout}: the peer keeps the connection but stops
   * reading (its application is stuck, or it is not reading at all). Writers stay backpressured;
   * nothing is dropped. Sent once per stall; {@link PeerResumed} follows when acknowledgements
   * move again, unless the connection ends first ({@link Disconnected} or {@link Closed}).
   *
   * @param generation the connection's generation
   * @param unackedBytes bytes written and not yet acknowledged
   * @param stalledFor how long no acknowledgement has moved the window while bytes waited
   */
  record PeerStalled(long generation, long unackedBytes, Duration stalledFor)
      implements PipeEvent {}

  /**
   * Acknowledgements move again on the connection of {@code generation} after a
   * {@link PeerStalled}.
   *
   * @param generation the connection's generation
   * @param stalledFor how long the stall lasted
   */
  record PeerResumed(long generation, Duration stalledFor) implements PipeEvent {}

  /**
   * The peer's position cannot be served without splicing: the pipe is about to close.
   *
   * @param error the exact positions involved
   */
  record DataLost(PipeException error) implements PipeEvent {}

  /**
   * The pipe closed for good.
   *
   * @param cause why it closed
   * @param error the failure behind it, if any
   */
  record Closed(DisconnectCause cause, Optional<Throwable> error) implements PipeEvent {}
}
