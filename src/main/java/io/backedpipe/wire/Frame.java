package io.backedpipe.wire;

import org.apache.pekko.util.ByteString;

/**
 * What one side of a connection sends the other once the connection is established. The pipe's
 * writer produces frames, its reader consumes them; the transport carries them.
 *
 * <p>Positions are absolute stream positions of the sending side's stream (for {@link Data} and
 * {@link EndOfStream}) or of the receiving side's stream (for {@link Ack}).
 */
public sealed interface Frame permits Frame.Data, Frame.Ack, Frame.EndOfStream {

  /**
   * Stream bytes, following the previous data frame (or the position exchanged at connect) without
   * a gap.
   *
   * @param payload the bytes; never empty
   */
  record Data(ByteString payload) implements Frame {
    /**
     * Validates the payload.
     *
     * @param payload the bytes; never empty
     * @throws IllegalArgumentException if the payload is empty
     */
    public Data {
      if (payload.isEmpty()) {
        throw new IllegalArgumentException("payload.size=0 must be > 0");
      }
    }

    @Override
    public String toString() {
      return "Data[size=" + payload.size() + "]";
    }
  }

  /**
   * The sender has delivered every byte before {@code position} of the receiver's stream to its
   * application: the receiver may release them from its replay window.
   *
   * @param position the acknowledged position
   */
  record Ack(long position) implements Frame {}

  /**
   * The sender's stream ends at {@code position}: no data follows. Replayed like data until
   * acknowledged, and idempotent.
   *
   * @param position the stream's final length
   */
  record EndOfStream(long position) implements Frame {}
}
