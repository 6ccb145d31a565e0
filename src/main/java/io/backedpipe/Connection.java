package io.backedpipe;

import io.backedpipe.pipe.LinkPort;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.LinkLimits;
import java.util.Optional;
import java.util.OptionalInt;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;

/**
 * One established connection, ready to be attached to a pipe: the peer's read position exchanged
 * in the handshake, and the frames in both directions.
 *
 * <p>The pipe materializes {@code frames} exactly once: elements pushed into it go to the peer,
 * elements it emits came from the peer. Completion of its output is a transport EOF and failure is
 * a transport error; both end this connection and never the stream.
 *
 * <p>A connection of the library's own transports is already running when it is handed over: it
 * carries its {@code port}, which the pipe attaches to instead of materializing {@code frames}, so
 * the whole connection is one stream. Its {@code frames} still work (a bridge to the port, for
 * {@link #withFrames} wrappers), and a wrapped connection has no port.
 *
 * @param peerReadPosition how many bytes the peer has received; the pipe replays from here
 * @param peerHistoryCheck the peer's {@link ResumePoint#historyCheck()}, checked against what this
 *     side wrote before that position; empty when the transport carries none
 * @param peerLimits what the peer accepts ({@link LinkLimits#NONE} when the transport tells
 *     nothing): the pipe keeps its frames and unacknowledged bytes within them on this connection
 * @param frames the connection as a flow of frames
 * @param port the running connection's end for a pipe to attach to, when a transport of this
 *     library made it; empty for any other connection. Not API.
 */
public record Connection(
    long peerReadPosition, OptionalInt peerHistoryCheck, LinkLimits peerLimits,
    Flow<Frame, Frame, ?> frames, Optional<LinkPort> port) {

  /**
   * Creates the value.
   *
   * @param peerReadPosition the peer's read position, not negative
   * @param peerHistoryCheck the peer's history check, if the transport carries one
   * @param peerLimits the peer's limits, not null
   * @param frames the connection's frames, not null
   * @param port the running connection's port, if it has one; not null
   * @throws IllegalArgumentException if the position is negative or a value is null
   */
  public Connection {
    if (peerReadPosition < 0) {
      throw new IllegalArgumentException("peerReadPosition=" + peerReadPosition + " must be >= 0");
    }
    if (peerLimits == null) {
      throw new IllegalArgumentException("peerLimits must not be null");
    }
    if (frames == null) {
      throw new IllegalArgumentException("frames must not be null");
    }
    if (port == null) {
      throw new IllegalArgumentException("port must not be null");
    }
  }

  /**
   * A connection whose frames are a flow still to be materialized.
   *
   * @param peerReadPosition the peer's read position, not negative
   * @param peerHistoryCheck the peer's history check, if the transport carries one
   * @param peerLimits the peer's limits, not null
   * @param frames the connection's frames, not null
   */
  public Connection(long peerReadPosition, OptionalInt peerHistoryCheck, LinkLimits peerLimits,
      Flow<Frame, Frame, ?> frames) {
    this(peerReadPosition, peerHistoryCheck, peerLimits, frames, Optional.empty());
  }

  /**
   * A running connection whose peer resumes from {@code peer}: the pipe attaches to its
   * {@code port}. For the library's transports.
   *
   * @param peer the peer's resume point
   * @param port the running connection's port
   */
  public Connection(ResumePoint peer, LinkPort port) {
    this(peer.position(), OptionalInt.of(peer.historyCheck()), peer.limits(), port.frames(),
        Optional.of(port));
  }

  /**
   * A connection whose transport tells no limits.
   *
   * @param peerReadPosition the peer's read position, not negative
   * @param peerHistoryCheck the peer's history check, if the transport carries one
   * @param frames the connection's frames, not null
   */
  public Connection(
      long peerReadPosition, OptionalInt peerHistoryCheck, Flow<Frame, Frame, ?> frames) {
    this(peerReadPosition, peerHistoryCheck, LinkLimits.NONE, frames);
  }

  /**
   * The same connection with its frames passed through something else (a chaos stage, a probe).
   * The result has no port: the pipe materializes the new frames.
   *
   * @param frames the new flow of frames
   * @return the connection with the same peer and the new frames
   */
  public Connection withFrames(Flow<Frame, Frame, ?> frames) {
    return new Connection(peerReadPosition, peerHistoryCheck, peerLimits, frames);
  }

  /**
   * Ends this connection without using it, for one that was handed over and that nobody will
   * attach (a refused or abandoned attempt): a running connection ends through its port, any other
   * is run on {@code materializer} with nothing sent and nothing read.
   *
   * @param materializer runs a connection that has no port
   */
  public void discard(Materializer materializer) {
    if (port.isPresent()) {
      port.get().discard();
    } else {
      frames.runWith(Source.empty(), Sink.cancelled(), materializer);
    }
  }

  /**
   * A connection without a history check.
   *
   * @param peerReadPosition the peer's read position, not negative
   * @param frames the connection's frames, not null
   */
  public Connection(long peerReadPosition, Flow<Frame, Frame, ?> frames) {
    this(peerReadPosition, OptionalInt.empty(), frames);
  }

  /**
   * A connection whose peer resumes from {@code peer}, history check included.
   *
   * @param peer the peer's resume point
   * @param frames the connection's frames, not null
   */
  public Connection(ResumePoint peer, Flow<Frame, Frame, ?> frames) {
    this(peer.position(), OptionalInt.of(peer.historyCheck()), peer.limits(), frames);
  }
}
