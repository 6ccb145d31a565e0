package io.backedpipe;

import java.util.concurrent.CompletionStage;

/**
 * Makes a new connection for the dialing side of a pipe.
 *
 * <p>The pipe calls it with its own read position (the number of bytes it has received), which the
 * implementation sends to the peer in its handshake; it completes with the connection and the
 * peer's read position. It is called from the pipe's actor and must not block: do the work in the
 * returned stage. A stage that never completes is abandoned after the policy's attempt timeout, and
 * a connection that arrives after that is closed.
 *
 * <pre>{@code
 * Reconnector reconnector = localReadPosition ->
 *     myTransport.dial(address, localReadPosition); // CompletionStage<Connection>
 * }</pre>
 */
@FunctionalInterface
public interface Reconnector {

  /**
   * Dials, handshakes and returns the connection.
   *
   * @param localReadPosition how many bytes this side has received so far
   * @return the connection with the peer's read position, or a failed stage
   */
  CompletionStage<Connection> reconnect(long localReadPosition);
}
