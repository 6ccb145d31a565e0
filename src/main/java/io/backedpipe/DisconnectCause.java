package io.backedpipe;

/**
 * Why a connection of a pipe ended. Each constant answers for itself whether the pipe may go on
 * with a new connection ({@link #isRecoverable()}); the state machine asks it instead of switching
 * over it.
 */
public enum DisconnectCause {
  /** The transport failed (reset, abort, I/O error). The pipe reconnects. */
  LINK_FAILED {
    @Override
    public boolean isRecoverable() {
      return true;
    }
  },
  /** The transport ended without an end-of-stream frame (a plain EOF). The pipe reconnects. */
  LINK_CLOSED {
    @Override
    public boolean isRecoverable() {
      return true;
    }
  },
  /** The peer sent something impossible on the connection; it was dropped. The pipe reconnects. */
  PROTOCOL_VIOLATION {
    @Override
    public boolean isRecoverable() {
      return true;
    }
  },
  /** The user asked for a new connection ({@code ForceReconnect}). */
  FORCED_RECONNECT {
    @Override
    public boolean isRecoverable() {
      return true;
    }
  },
  /** A newer accepted connection replaced this one. */
  TAKEN_OVER {
    @Override
    public boolean isRecoverable() {
      return true;
    }
  },
  /**
   * The two sides' histories cannot be joined: the peer asked for bytes that are gone or were never
   * written. The pipe fails rather than splice wrong bytes.
   */
  DATA_LOSS {
    @Override
    public boolean isRecoverable() {
      return false;
    }
  },
  /**
   * Both directions ended and each side saw the other's end (an end-of-stream each way, every byte
   * acknowledged, and a CLOSE exchanged): the pipe closed cleanly.
   */
  COMPLETED {
    @Override
    public boolean isRecoverable() {
      return false;
    }
  },
  /** The peer closed its pipe for good and said so with a CLOSE frame of a non-zero code. */
  CLOSED_BY_PEER {
    @Override
    public boolean isRecoverable() {
      return false;
    }
  },
  /** The user closed the pipe. */
  CLOSED_BY_USER {
    @Override
    public boolean isRecoverable() {
      return false;
    }
  },
  /**
   * The pipe's owner gave up on it before its end: a server's grace period passed with no
   * connection, or the server stopped. A Source still reading fails, so a relay does not mistake
   * the cut for the end of the stream.
   */
  EXPIRED {
    @Override
    public boolean isRecoverable() {
      return false;
    }
  },
  /**
   * The peer refused the connection for good in its handshake (unknown stream, not authorized,
   * unsupported version, bad position). Retrying would get the same answer.
   */
  REFUSED {
    @Override
    public boolean isRecoverable() {
      return false;
    }
  },
  /** The pipe's actor stopped (its parent stopped it, or the actor system shut down). */
  PIPE_STOPPED {
    @Override
    public boolean isRecoverable() {
      return false;
    }
  };

  /**
   * Tells whether a new connection may continue the stream after this cause.
   *
   * @return {@code true} when the pipe should (and may) reconnect
   */
  public abstract boolean isRecoverable();
}
