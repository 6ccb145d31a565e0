package io.backedpipe.tunnel.mux;

import java.util.HashSet;
import java.util.Set;

/**
 * The stream ids a tunnel connection has opened so far, to tell a frame for a stream that ended
 * (the peer sent it before it heard: dropped) from one for a stream that was never opened (a
 * protocol fault). The client opens ids 1, 2, 3 and so on, but each stream's OPEN travels with its
 * own bytes, so OPENs may arrive a little out of order: the ids below {@link #floor} are all
 * opened, and the few above it that are too are kept in a set, which a client that skips ids
 * without end would grow, so its size is bounded.
 *
 * <p>Not thread-safe: owned by its session actor.
 */
public final class OpenedStreams {
  private final int maxAhead;
  /** Every id below it was opened. */
  private int floor = 1;
  private final Set<Integer> ahead = new HashSet<>();

  /**
   * Creates the record of a new tunnel connection.
   *
   * @param maxAhead the most ids above the lowest one not opened yet that may be opened
   */
  public OpenedStreams(int maxAhead) {
    this.maxAhead = maxAhead;
  }

  /**
   * Records an OPEN.
   *
   * @param stream its id, {@code >= 1}
   * @throws MuxProtocolException when the id was opened before, or too far ahead
   */
  public void open(int stream) throws MuxProtocolException {
    if (contains(stream)) {
      throw new MuxProtocolException("stream " + stream + " opened twice");
    }
    if (stream != floor && ahead.size() >= maxAhead) {
      throw new MuxProtocolException("stream " + stream + " opened while " + ahead.size()
          + " streams above " + floor + " are open and " + floor + " is not: stream ids are"
          + " given in order");
    }
    ahead.add(stream);
    while (ahead.remove(floor)) {
      floor++;
    }
  }

  /**
   * Whether an id was opened.
   *
   * @param stream the id
   * @return {@code true} if an OPEN for it was recorded
   */
  public boolean contains(int stream) {
    return stream < floor || ahead.contains(stream);
  }

  /**
   * The next id a client gives, when this records the client's own streams.
   *
   * @return the lowest id not opened yet
   */
  public int next() {
    return floor;
  }
}
