package io.backedpipe.pipe;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;
import org.apache.pekko.stream.SharedKillSwitch;

/**
 * A running connection of one generation, as the supervisor holds it: the generation and the
 * switch that tears down both directions at once.
 *
 * @param generation the connection's generation
 * @param killSwitch ends both directions of the connection's stream
 * @param outgoingSwitch ends only the direction towards the peer (after what was sent)
 * @param outgoingDone completes when the connection stops taking frames (its write side ended),
 *     which the reader, watching only the read side, would not see
 */
record LinkHandle(long generation, SharedKillSwitch killSwitch, SharedKillSwitch outgoingSwitch,
    CompletionStage<Done> outgoingDone) {

  /** Ends the connection in both directions; idempotent. */
  void shutdown() {
    killSwitch.shutdown();
  }

  /**
   * Ends only the direction towards the peer, once what was sent has gone; the peer's direction
   * stays open until the peer ends it. Used at the clean end, so that the peer reads our CLOSE
   * before anything of ours looks broken to it.
   */
  void finishOutgoing() {
    outgoingSwitch.shutdown();
  }
}
