package io.backedpipe.chaos;

/** What a {@link ChaosProxy} or {@link ChaosReconnector} does to the links through it. */
public enum Fault {
  /** Both ends see a reset: the connection fails at once. */
  RESET,
  /** Both ends see an orderly close (EOF) in the middle of the stream. */
  CLOSE,
  /**
   * Bytes stop moving in both directions and nothing closes, as when a route disappears; new
   * connections hang the same way until the blackhole ends. Only heartbeats notice it.
   */
  BLACKHOLE,
  /** The open links stop moving for a while, then go on by themselves. */
  STALL,
  /** Every element waits a while, until the next fault. */
  DELAY,
  /** Each direction is limited to a bandwidth, until the next fault. */
  BANDWIDTH,
  /** The link fails after a given number of further bytes. */
  CUT
}
