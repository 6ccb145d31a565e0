package io.backedpipe.chaos;

/** What a {@link ChaosProxy} does to the connections through it. */
public enum Fault {
  /** Both ends see a reset: the connection fails at once. */
  RESET,
  /** Both ends see an orderly close (EOF) in the middle of the stream. */
  CLOSE,
  /**
   * Bytes stop moving in both directions and nothing closes, as when a route disappears; new
   * connections hang the same way until the blackhole ends. Only heartbeats notice it.
   */
  BLACKHOLE
}
