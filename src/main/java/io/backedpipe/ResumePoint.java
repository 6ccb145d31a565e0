package io.backedpipe;

import io.backedpipe.wire.LinkLimits;
import java.nio.ByteBuffer;
import java.util.zip.CRC32C;
import org.apache.pekko.util.ByteString;

/**
 * What one side tells its peer in a handshake: where it resumes reading (how many bytes it has
 * received, and a check of the last of them, so that a peer with another history is caught
 * instead of spliced), and what it accepts (its {@link LinkLimits}).
 *
 * @param position the bytes received so far
 * @param historyCheck CRC32C of the last {@value #HISTORY_BYTES} bytes received before
 *     {@code position} (fewer at the start of the stream; 0 for none)
 * @param limits the frame size, window and read buffer this side works with
 */
public record ResumePoint(long position, int historyCheck, LinkLimits limits) {
  /** How many bytes before the position the history check covers. */
  public static final int HISTORY_BYTES = io.backedpipe.buffer.ReplayBuffer.HISTORY_BYTES;

  /**
   * Validates the position.
   *
   * @param position see the record's description
   * @param historyCheck see the record's description
   * @param limits see the record's description
   * @throws IllegalArgumentException if the position is negative
   */
  public ResumePoint {
    if (position < 0) {
      throw new IllegalArgumentException("position=" + position + " must be >= 0");
    }
    if (limits == null) {
      throw new IllegalArgumentException("limits must not be null");
    }
  }

  /**
   * A resume point that states no limits ({@link LinkLimits#NONE}): the peer keeps to its own.
   *
   * @param position see the record's description
   * @param historyCheck see the record's description
   */
  public ResumePoint(long position, int historyCheck) {
    this(position, historyCheck, LinkLimits.NONE);
  }

  /**
   * The history check of some bytes: CRC32C of at most the last {@value #HISTORY_BYTES} of them.
   *
   * @param history the bytes just before the position, oldest first
   * @return the check
   */
  public static int check(ByteString history) {
    CRC32C crc = new CRC32C();
    ByteString last = history.size() > HISTORY_BYTES ? history.takeRight(HISTORY_BYTES) : history;
    for (ByteBuffer buffer : last.getByteBuffers()) {
      crc.update(buffer);
    }
    return (int) crc.getValue();
  }
}
