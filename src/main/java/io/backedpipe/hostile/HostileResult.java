package io.backedpipe.hostile;

import io.backedpipe.wire.HandshakeStatus;
import java.util.Optional;

/**
 * How one {@link HostileCase} ended.
 *
 * @param hostileCase the case
 * @param outcome how the server ended it
 * @param welcomed whether the case's own handshake was answered OK (so its hostile bytes reached an
 *     established connection)
 * @param refusal the status of a WELCOME other than OK, if one came
 * @param detail what the client saw, for reports
 */
public record HostileResult(HostileCase hostileCase, HostileOutcome outcome, boolean welcomed,
    Optional<HandshakeStatus> refusal, String detail) {

  @Override
  public String toString() {
    return outcome + " " + hostileCase + ": " + detail;
  }
}
