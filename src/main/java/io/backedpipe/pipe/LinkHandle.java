package io.backedpipe.pipe;

import org.apache.pekko.stream.SharedKillSwitch;

/**
 * A running connection of one generation, as the supervisor holds it: the generation and the
 * switch that tears down both directions at once.
 *
 * @param generation the connection's generation
 * @param killSwitch ends both directions of the connection's stream
 */
record LinkHandle(long generation, SharedKillSwitch killSwitch) {

  /** Ends the connection in both directions; idempotent. */
  void shutdown() {
    killSwitch.shutdown();
  }
}
