package io.backedpipe;

import java.util.concurrent.CompletionStage;

/**
 * Makes a new connection for the dialing side of a pipe.
 *
 * <p>The pipe calls it with its own resume point (the number of bytes it has received and a check
 * of the last of them), which the implementation sends to the peer in its handshake; it completes
 * with the connection and the peer's resume point. It is called from the pipe's actor and must not block: do the work in the
 * returned stage. A stage that never completes is abandoned after the policy's attempt timeout, and
 * a connection that arrives after that is closed.
 *
 * <pre>{@code
 * Reconnector reconnector = local ->
 *     myTransport.dial(address, local.position(), local.historyCheck()); // CompletionStage<Connection>
 * }</pre>
 */
@FunctionalInterface
public interface Reconnector {

  /**
   * Dials, handshakes and returns the connection.
   *
   * @param local this side's resume point: the bytes it has received, and the check of the last
   *     of them, both to be sent to the peer
   * @return the connection with the peer's read position (and history check, if the transport
   *     carries one), or a failed stage
   */
  CompletionStage<Connection> reconnect(ResumePoint local);
}
