package io.backedpipe.hostile;

import io.backedpipe.wire.Frame;
import java.util.Optional;
import org.apache.pekko.util.ByteString;

/**
 * One generated attack on a server: how the connection opens, the hostile bytes that follow, and
 * whether the client then ends its side. Made by {@link HostileInput}, played by
 * {@link HostileRun}.
 *
 * @param index the case's number in its run; with the seed it reproduces the case
 * @param kind what the case tries
 * @param description a one-line account of the bytes, for reports
 * @param opening what the client does before sending {@code bytes}
 * @param handshake the valid HELLO of {@link Opening#AFTER_HANDSHAKE} and
 *     {@link Opening#REPLAYED_HANDSHAKE} (its proof is replaced by the run's prover, if any)
 * @param endOfStreamFirst after the handshake, send END_OF_STREAM at the position the server's
 *     WELCOME announced before {@code bytes}
 * @param bytes the hostile bytes
 * @param ending what the client does after sending them
 */
public record HostileCase(int index, HostileKind kind, String description, Opening opening,
    Optional<Frame.Hello> handshake, boolean endOfStreamFirst, ByteString bytes, Ending ending) {

  /** What the client does before it sends the hostile bytes. */
  public enum Opening {
    /** Nothing: the bytes go out at once, before the server's CHALLENGE is read. */
    IMMEDIATE,
    /** Reads the server's CHALLENGE first. */
    AFTER_CHALLENGE,
    /** Completes a valid handshake ({@link HostileCase#handshake()}); a refusal ends the case. */
    AFTER_HANDSHAKE,
    /**
     * Completes the handshake on a first connection, closes it, then sends the very same HELLO
     * bytes (with the first connection's proof) after the CHALLENGE of a second connection.
     */
    REPLAYED_HANDSHAKE
  }

  /** What the client does once the hostile bytes are out. */
  public enum Ending {
    /**
     * Ends its side (TCP half-close): the bytes may be incomplete or allowed, and the server must
     * notice the end and close.
     */
    HALF_CLOSE,
    /** Keeps its side open: the server must reject the bytes (or time the handshake out) itself. */
    KEEP_OPEN
  }

  /**
   * Validates the combination.
   *
   * @param index see the record's description
   * @param kind see the record's description
   * @param description see the record's description
   * @param opening see the record's description
   * @param handshake see the record's description
   * @param endOfStreamFirst see the record's description
   * @param bytes see the record's description
   * @param ending see the record's description
   * @throws IllegalArgumentException if a handshake opening has no HELLO or another has one
   */
  public HostileCase {
    boolean handshakes = opening == Opening.AFTER_HANDSHAKE
        || opening == Opening.REPLAYED_HANDSHAKE;
    if (handshakes != handshake.isPresent()) {
      throw new IllegalArgumentException("opening=" + opening + " handshake=" + handshake);
    }
    if (endOfStreamFirst && !handshakes) {
      throw new IllegalArgumentException("endOfStreamFirst needs a handshake: opening=" + opening);
    }
  }

  /**
   * Whether the server may answer this case's connection with WELCOME OK: only when the case
   * opens with a valid handshake of its own. A hostile HELLO in {@link #bytes()} must never be.
   *
   * @return whether an OK is allowed
   */
  public boolean mayBeWelcomed() {
    return opening == Opening.AFTER_HANDSHAKE || opening == Opening.REPLAYED_HANDSHAKE;
  }

  @Override
  public String toString() {
    return "#" + index + " " + kind + " [" + opening + ", " + ending + "] " + description;
  }
}
