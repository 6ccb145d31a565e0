package io.backedpipe.hostile;

/** How a server ended one {@link HostileCase}'s connection, as the hostile client saw it. */
public enum HostileOutcome {
  /** The server ended the connection (EOF or reset) without a refusal or an ERROR frame. */
  CLOSED,
  /** The server answered a WELCOME with a status other than OK, then ended the connection. */
  REFUSED,
  /** The server sent an ERROR frame, then ended the connection. */
  ERROR_FRAME,
  /**
   * The server did something it must not: kept the connection open past the case's time limit,
   * accepted a hostile HELLO with OK, sent bytes that are not valid frames, or could not be
   * reached.
   */
  FAILED;

  /**
   * Whether this outcome is one the protocol allows.
   *
   * @return {@code false} only for {@link #FAILED}
   */
  public boolean isAcceptable() {
    return this != FAILED;
  }
}
