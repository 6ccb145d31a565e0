package io.backedpipe;

/**
 * The observable connection state of a pipe, as reported by {@link PipeStatus}. The state machine
 * itself is a set of behaviours, one per constant; this enum only names them for users.
 */
public enum PipeState {
  /** No connection and no attempt in flight (a retry may be scheduled). */
  DISCONNECTED,
  /** A reconnect attempt (dial or accepted connection) is in flight. */
  RECONNECTING,
  /** A connection is attached; bytes flow. */
  CONNECTED,
  /** Closed for good; every command is answered with {@link PipeClosedException}. */
  CLOSED
}
