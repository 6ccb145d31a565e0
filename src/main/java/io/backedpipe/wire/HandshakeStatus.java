package io.backedpipe.wire;

/**
 * The server's verdict in a {@link Frame.Welcome}. Each constant answers {@link #isPermanent()}:
 * whether a client must stop retrying, because asking again the same way cannot succeed.
 *
 * <p>Codes are one unsigned byte. {@link #fromCode} answers {@link #UNKNOWN} (not permanent) for a
 * code not listed here; {@link #UNKNOWN} itself is sent as {@code 0xFF}.
 */
public enum HandshakeStatus {
  /** Accepted: the connection carries the stream from now on. */
  OK(0) {
    @Override
    public boolean isPermanent() {
      return false;
    }
  },
  /** The server does not know the stream and was not asked to create it (or it expired). */
  UNKNOWN_STREAM(1) {
    @Override
    public boolean isPermanent() {
      return true;
    }
  },
  /** The server does not speak the client's protocol version. */
  VERSION_UNSUPPORTED(2) {
    @Override
    public boolean isPermanent() {
      return true;
    }
  },
  /** The client's read position is not one the server can replay from. */
  BAD_POSITION(3) {
    @Override
    public boolean isPermanent() {
      return true;
    }
  },
  /** The server is at a limit (streams, connections); a later attempt may succeed. */
  LIMIT_REACHED(4) {
    @Override
    public boolean isPermanent() {
      return false;
    }
  },
  /** The client's proof was not accepted. */
  NOT_AUTHORIZED(5) {
    @Override
    public boolean isPermanent() {
      return true;
    }
  },
  /** The two sides' history check values disagree: they are not talking about the same stream. */
  HISTORY_MISMATCH(6) {
    @Override
    public boolean isPermanent() {
      return true;
    }
  },
  /**
   * The stream ended cleanly (both directions delivered) and the server closed it: a client that
   * has received the whole stream closes as completed instead of resuming.
   */
  COMPLETED(7) {
    @Override
    public boolean isPermanent() {
      return true;
    }
  },
  /** A code this side does not know (from a newer server); sent as {@code 0xFF}. */
  UNKNOWN(-1) {
    @Override
    public boolean isPermanent() {
      return false;
    }
  };

  private final int code;

  HandshakeStatus(int code) {
    this.code = code;
  }

  /**
   * Whether the client must stop retrying after this verdict.
   *
   * @return {@code true} when a retry of the same request cannot succeed
   */
  public abstract boolean isPermanent();

  /**
   * The wire code of this status.
   *
   * @return {@code 0..254}, or {@code -1} for {@link #UNKNOWN}
   */
  public int code() {
    return code;
  }

  /**
   * The status with the given wire code.
   *
   * @param code a wire code
   * @return the status, or {@link #UNKNOWN} for a code that is not assigned; never {@code null}
   */
  public static HandshakeStatus fromCode(int code) {
    for (HandshakeStatus status : values()) {
      if (status.code == code && code >= 0) {
        return status;
      }
    }
    return UNKNOWN;
  }
}
