package io.backedpipe;

import io.backedpipe.wire.Frame;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * One established connection, ready to be attached to a pipe: the peer's read position exchanged
 * in the handshake, and the frames in both directions.
 *
 * <p>The pipe materializes {@code frames} exactly once: elements pushed into it go to the peer,
 * elements it emits came from the peer. Completion of its output is a transport EOF and failure is
 * a transport error; both end this connection and never the stream.
 *
 * @param peerReadPosition how many bytes the peer has received; the pipe replays from here
 * @param frames the connection as a flow of frames
 */
public record Connection(long peerReadPosition, Flow<Frame, Frame, ?> frames) {

  /**
   * Creates the value.
   *
   * @param peerReadPosition the peer's read position, not negative
   * @param frames the connection's frames, not null
   * @throws IllegalArgumentException if the position is negative or the flow is null
   */
  public Connection {
    if (peerReadPosition < 0) {
      throw new IllegalArgumentException("peerReadPosition=" + peerReadPosition + " must be >= 0");
    }
    if (frames == null) {
      throw new IllegalArgumentException("frames must not be null");
    }
  }
}
