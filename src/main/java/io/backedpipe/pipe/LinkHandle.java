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
 * @param outgoingDone completes when the connection stops taking frames (its write side ended),
 *     which the reader, watching only the read side, would not see
 */
record LinkHandle(long generation, SharedKillSwitch killSwitch, CompletionStage<Done> outgoingDone) {

  /** Ends the connection in both directions; idempotent. */
  void shutdown() {
    killSwitch.shutdown();
  }
}
