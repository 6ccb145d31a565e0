package io.backedpipe.hostile;

/**
 * What a {@link HostileCase} tries against a server. Each kind names one way of breaking the
 * protocol of {@code docs/protocol.md}; {@link HostileInput} draws kinds by weight.
 */
public enum HostileKind {
  /** Random bytes, before the handshake or after a valid one. */
  RANDOM_BYTES(10),
  /**
   * A frame header whose length is a boundary: 0, 1, the exact size of each fixed frame and one
   * either side, the largest DATA and control payloads and one more, {@code 2^31-1}, and values
   * with the top bit set (negative when read as signed).
   */
  BOUNDARY_LENGTH(12),
  /** A valid HELLO cut short at some offset, then the client's end of the connection. */
  TRUNCATED_HANDSHAKE(10),
  /** After a valid handshake, a valid frame cut short at some offset, then the end. */
  TRUNCATED_FRAME(8),
  /** A frame whose type code is not assigned. */
  UNKNOWN_TYPE(8),
  /**
   * A frame of a type that is not allowed at that point: stream frames instead of HELLO, a second
   * HELLO (naming the protected stream too), CHALLENGE, WELCOME or ERROR after the handshake, a
   * HELLO payload under another type code.
   */
  TYPE_CONFUSION(10),
  /** A HELLO with another magic number. */
  WRONG_MAGIC(5),
  /** A HELLO with a version the server does not speak: answered VERSION_UNSUPPORTED. */
  WRONG_VERSION(5),
  /**
   * A HELLO broken inside: flags beyond bit 0, a proof longer than 64, a length that disagrees with
   * the proof length, a negative read position, a payload below the minimum.
   */
  MALFORMED_HELLO(8),
  /**
   * A well-formed HELLO whose read position no writer can resume from: far beyond anything
   * written, or 0 with a history check that cannot match. Never a valid takeover.
   */
  IMPOSSIBLE_POSITION(10),
  /** A HELLO sent on an earlier connection (with that connection's proof) sent again on a new one. */
  REPLAYED_HANDSHAKE(4),
  /** After a valid handshake, END_OF_STREAM at the server's position, then more DATA. */
  END_OF_STREAM_THEN_DATA(5),
  /**
   * After a valid handshake, a frame that breaks a payload rule: a negative or impossible ACK, an
   * empty DATA, invalid UTF-8 in a CLOSE or ERROR, a wrong fixed size, or a CLOSE with a code.
   */
  MALFORMED_FRAME(5),
  /** Part of a HELLO, then silence with the connection open: only the handshake timeout ends it. */
  STALLED_HANDSHAKE(1),
  /**
   * Slow loris: instead of a HELLO, the header of a large DATA frame and part of its payload, then
   * silence with the connection open. The header alone must end it (only a HELLO may come first).
   */
  SLOW_LORIS(3),
  /**
   * After a valid handshake, a CLOSE or ERROR whose text carries line breaks, terminal escapes and
   * bidirectional overrides (a forged log line): the connection ends, and the text reaches logs
   * only escaped.
   */
  CONTROL_CHARACTERS(3);

  private final int weight;

  HostileKind(int weight) {
    this.weight = weight;
  }

  /**
   * How often {@link HostileInput} draws this kind, relative to the others.
   *
   * @return a positive weight
   */
  public int weight() {
    return weight;
  }
}
