package io.backedpipe;

import java.time.Duration;
import java.util.Optional;

/**
 * A snapshot of one pipe, answered to {@code GetStatus}.
 *
 * <p>The supervisor, the writer and the reader each fill in their part in turn, so the figures are
 * taken within a few messages of each other rather than at one instant.
 *
 * @param state the connection state
 * @param generation the generation of the current (or last) connection attempt
 * @param readPosition bytes delivered to the application so far
 * @param receivedPosition bytes received from the peer (delivered or waiting to be read)
 * @param writePosition bytes accepted from the application so far
 * @param ackedPosition bytes the peer has acknowledged; the replay window holds
 *     {@code [ackedPosition, writePosition)}
 * @param reconnectCount connections attached after the first one
 * @param failedAttempts reconnect attempts that failed since the last connection that proved itself
 *     (stayed up for the policy's {@code stableAfter}, or carried data or acks); a connection lost
 *     before it proved itself counts as one
 * @param lastError the most recent failure, if any
 * @param ackStalledFor while written bytes wait on a connection for an acknowledgement: how long
 *     no acknowledgement has moved the window (since the bytes began to wait, or since the last
 *     one that did); empty when nothing waits, when disconnected, and when
 *     {@code ack-stall-timeout} is 0. Above that timeout the peer is stalled
 *     ({@code PipeEvent.PeerStalled}).
 */
public record PipeStatus(
    PipeState state,
    long generation,
    long readPosition,
    long receivedPosition,
    long writePosition,
    long ackedPosition,
    long reconnectCount,
    int failedAttempts,
    Optional<Throwable> lastError,
    Optional<Duration> ackStalledFor) {

  /**
   * A snapshot without an ack stall figure.
   *
   * @param state see the record's description
   * @param generation see the record's description
   * @param readPosition see the record's description
   * @param receivedPosition see the record's description
   * @param writePosition see the record's description
   * @param ackedPosition see the record's description
   * @param reconnectCount see the record's description
   * @param failedAttempts see the record's description
   * @param lastError see the record's description
   */
  public PipeStatus(PipeState state, long generation, long readPosition, long receivedPosition,
      long writePosition, long ackedPosition, long reconnectCount, int failedAttempts,
      Optional<Throwable> lastError) {
    this(state, generation, readPosition, receivedPosition, writePosition, ackedPosition,
        reconnectCount, failedAttempts, lastError, Optional.empty());
  }

  /**
   * Bytes held in the replay window, waiting for the peer's acknowledgement.
   *
   * @return {@code writePosition - ackedPosition}
   */
  public long unackedBytes() {
    return writePosition - ackedPosition;
  }

  /**
   * A copy with the writer's figures filled in.
   *
   * @param writePosition bytes accepted from the application
   * @param ackedPosition bytes acknowledged by the peer
   * @return the updated snapshot
   */
  public PipeStatus withWriter(long writePosition, long ackedPosition) {
    return new PipeStatus(
        state, generation, readPosition, receivedPosition, writePosition, ackedPosition,
        reconnectCount, failedAttempts, lastError, ackStalledFor);
  }

  /**
   * A copy with the reader's figures filled in.
   *
   * @param readPosition bytes delivered to the application
   * @param receivedPosition bytes received from the peer
   * @return the updated snapshot
   */
  public PipeStatus withReader(long readPosition, long receivedPosition) {
    return new PipeStatus(
        state, generation, readPosition, receivedPosition, writePosition, ackedPosition,
        reconnectCount, failedAttempts, lastError, ackStalledFor);
  }

  /**
   * A copy with the writer's ack stall figure filled in.
   *
   * @param ackStalledFor how long no acknowledgement moved the window while bytes waited
   * @return the updated snapshot
   */
  public PipeStatus withAckStalledFor(Optional<Duration> ackStalledFor) {
    return new PipeStatus(
        state, generation, readPosition, receivedPosition, writePosition, ackedPosition,
        reconnectCount, failedAttempts, lastError, ackStalledFor);
  }
}
