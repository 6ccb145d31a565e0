package io.backedpipe.pipe;

import java.util.concurrent.CompletionStage;
import org.apache.pekko.Done;

/**
 * A running connection of one generation, as the supervisor holds it: the generation and the
 * {@link LinkPort} the pipe is attached to, which ends either direction or both.
 *
 * @param generation the connection's generation
 * @param port the pipe's end of the connection
 */
record LinkHandle(long generation, LinkPort port) {

  /** Ends the connection in both directions; idempotent. */
  void shutdown() {
    port.shutdown();
  }

  /**
   * Ends only the direction towards the peer, once what was sent has gone; the peer's direction
   * stays open until the peer ends it. Used at the clean end, so that the peer reads our CLOSE
   * before anything of ours looks broken to it.
   */
  void finishOutgoing() {
    port.finishOutgoing();
  }

  /**
   * Completes when the connection stops taking frames (its write side ended, or it stopped). Only
   * a closed pipe's farewell watches it: while the pipe is open, the end of a connection reaches
   * the supervisor through the reader, after the frames the connection delivered.
   *
   * @return the signal
   */
  CompletionStage<Done> outgoingDone() {
    return port.outgoingDone();
  }
}
