package io.backedpipe.buffer;

import java.util.ArrayDeque;
import java.util.Iterator;
import org.apache.pekko.util.ByteString;

/**
 * The bytes a writer has sent but the peer has not yet acknowledged, addressed by absolute stream
 * position.
 *
 * <p>Not thread-safe; owned by one writer actor. Positions are {@code long}s that only grow: the
 * buffer holds {@code [startPosition, endPosition)}. {@link #append} adds at the end as much as the
 * capacity allows and returns how much it took, so "full" is a return value and the caller waits;
 * nothing is ever evicted. {@link #releaseTo} drops acknowledged bytes from the front. Memory is
 * the bytes held, in the {@link ByteString}s the caller passed in: nothing is allocated up front and
 * nothing is copied; {@link #slice} returns a view.
 *
 * <pre>{@code
 * ReplayBuffer buffer = new ReplayBuffer(8 << 20);
 * int taken = buffer.append(bytes);          // < bytes.size() when full
 * ByteString replay = buffer.slice(peerReadPosition, 256 * 1024);
 * buffer.releaseTo(ackedPosition);
 * }</pre>
 */
public final class ReplayBuffer {
  /** Tail chunks smaller than this are joined with the next append, to keep the deque short. */
  private static final int JOIN_BELOW_BYTES = 64 * 1024;

  /** How many released bytes are kept for {@link #before}: the handshake's history check. */
  public static final int HISTORY_BYTES = 64;

  /**
   * The deque's first size: an idle pipe holds no chunk, and a busy one few (tails are joined up to
   * {@link #JOIN_BELOW_BYTES}), so Java's default of 16 slots is mostly empty, per pipe.
   */
  private static final int INITIAL_CHUNKS = 3;

  /**
   * A deque that held more chunks than this is replaced by a small one once it is empty: an
   * {@code ArrayDeque} never shrinks, and an idle pipe would keep the slots of its busiest moment.
   */
  private static final int SHRINK_ABOVE_CHUNKS = 16;

  private final int capacity;
  private ArrayDeque<ByteString> chunks = new ArrayDeque<>(INITIAL_CHUNKS);
  /** The most chunks held since the deque was made. */
  private int chunksPeak;
  private long startPosition;
  private long endPosition;
  /** The last released bytes, at most {@link #HISTORY_BYTES}, ending at {@code startPosition}. */
  private ByteString history = ByteString.emptyByteString();

  /**
   * Creates an empty buffer at position 0.
   *
   * @param capacity the most bytes held at once, at least 1
   */
  public ReplayBuffer(int capacity) {
    this(capacity, 0L);
  }

  /**
   * Creates an empty buffer whose next byte has the given position.
   *
   * @param capacity the most bytes held at once, at least 1
   * @param position the position of the first byte to be appended, not negative
   */
  public ReplayBuffer(int capacity, long position) {
    if (capacity <= 0) {
      throw new IllegalArgumentException("capacity=" + capacity + " must be > 0");
    }
    if (position < 0) {
      throw new IllegalArgumentException("position=" + position + " must be >= 0");
    }
    this.capacity = capacity;
    this.startPosition = position;
    this.endPosition = position;
  }

  /**
   * The position of the oldest byte held (everything before it was released).
   *
   * @return the start position
   */
  public long startPosition() {
    return startPosition;
  }

  /**
   * The position after the newest byte appended: the count of bytes ever appended.
   *
   * @return the end position
   */
  public long endPosition() {
    return endPosition;
  }

  /**
   * The bytes held.
   *
   * @return {@code endPosition - startPosition}
   */
  public int size() {
    return (int) (endPosition - startPosition);
  }

  /**
   * The most bytes held at once.
   *
   * @return the capacity
   */
  public int capacity() {
    return capacity;
  }

  /**
   * How many more bytes an append would take now.
   *
   * @return {@code capacity - size}
   */
  public int remaining() {
    return capacity - size();
  }

  /**
   * Tells whether {@code position} can be replayed from: {@code startPosition <= position <=
   * endPosition}.
   *
   * @param position a stream position
   * @return {@code true} when {@link #slice} accepts it
   */
  public boolean holds(long position) {
    return position >= startPosition && position <= endPosition;
  }

  /**
   * Appends as much of {@code bytes} as fits; an empty argument is a no-op.
   *
   * @param bytes the bytes to append
   * @return how many bytes were taken, from 0 (full) to {@code bytes.size()}
   * @throws IllegalStateException if the position would pass {@link Long#MAX_VALUE}
   */
  public int append(ByteString bytes) {
    int taken = Math.min(bytes.size(), remaining());
    if (taken == 0) {
      return 0;
    }
    if (endPosition > Long.MAX_VALUE - taken) {
      throw new IllegalStateException(
          "position overflow: endPosition=" + endPosition + " append=" + taken);
    }
    ByteString accepted = taken == bytes.size() ? bytes : bytes.take(taken);
    ByteString last = chunks.peekLast();
    if (last != null && last.size() < JOIN_BELOW_BYTES) {
      chunks.pollLast();
      chunks.addLast(last.concat(accepted));
    } else {
      chunks.addLast(accepted);
      chunksPeak = Math.max(chunksPeak, chunks.size());
    }
    endPosition += taken;
    return taken;
  }

  /**
   * Returns up to {@code maxBytes} bytes starting at {@code fromPosition}, without copying.
   *
   * @param fromPosition the first position wanted, within {@code [startPosition, endPosition]}
   * @param maxBytes the most bytes wanted, not negative
   * @return the bytes {@code [fromPosition, min(endPosition, fromPosition + maxBytes))}
   * @throws IllegalArgumentException if the position is not held or {@code maxBytes} is negative
   */
  public ByteString slice(long fromPosition, int maxBytes) {
    if (maxBytes < 0) {
      throw new IllegalArgumentException("maxBytes=" + maxBytes + " must be >= 0");
    }
    requireHeld(fromPosition);
    long until = fromPosition + Math.min((long) maxBytes, endPosition - fromPosition);
    ByteString result = ByteString.emptyByteString();
    long chunkStart = startPosition;
    Iterator<ByteString> it = chunks.iterator();
    while (it.hasNext() && chunkStart < until) {
      ByteString chunk = it.next();
      long chunkEnd = chunkStart + chunk.size();
      if (chunkEnd > fromPosition) {
        int from = (int) (Math.max(fromPosition, chunkStart) - chunkStart);
        int to = (int) (Math.min(until, chunkEnd) - chunkStart);
        result = result.concat(from == 0 && to == chunk.size() ? chunk : chunk.slice(from, to));
      }
      chunkStart = chunkEnd;
    }
    return result;
  }

  /**
   * Releases every byte before {@code position} (they were acknowledged).
   *
   * @param position the new start position, within {@code [startPosition, endPosition]}
   * @return how many bytes were released
   * @throws IllegalArgumentException if the position is not held
   */
  public int releaseTo(long position) {
    requireHeld(position);
    int released = (int) (position - startPosition);
    if (released > 0) {
      long from = Math.max(startPosition, position - HISTORY_BYTES);
      history = HistoryTail.append(history, slice(from, (int) (position - from)));
    }
    while (startPosition < position) {
      ByteString head = chunks.peekFirst();
      long headEnd = startPosition + head.size();
      if (headEnd <= position) {
        chunks.pollFirst();
        startPosition = headEnd;
      } else {
        chunks.pollFirst();
        chunks.addFirst(head.drop((int) (position - startPosition)));
        startPosition = position;
      }
    }
    if (chunks.isEmpty() && chunksPeak > SHRINK_ABOVE_CHUNKS) {
      chunks = new ArrayDeque<>(INITIAL_CHUNKS);
      chunksPeak = 0;
    }
    return released;
  }

  /**
   * The bytes just before {@code position}, even if already released: at most
   * {@code maxBytes} (and at most {@link #HISTORY_BYTES} from before the start position).
   *
   * @param position a held position, within {@code [startPosition, endPosition]}
   * @param maxBytes the most bytes wanted, from 0 to {@link #HISTORY_BYTES}
   * @return the bytes {@code [position - n, position)}, {@code n <= maxBytes}, fewer only at the
   *     beginning of the stream
   * @throws IllegalArgumentException if the position is not held or {@code maxBytes} is out of range
   */
  public ByteString before(long position, int maxBytes) {
    requireHeld(position);
    if (maxBytes < 0 || maxBytes > HISTORY_BYTES) {
      throw new IllegalArgumentException(
          "maxBytes=" + maxBytes + " must be in [0, " + HISTORY_BYTES + "]");
    }
    long from = Math.max(startPosition, position - maxBytes);
    ByteString held = slice(from, (int) (position - from));
    int fromHistory = Math.min(maxBytes - held.size(), history.size());
    return history.takeRight(fromHistory).concat(held);
  }

  private void requireHeld(long position) {
    if (!holds(position)) {
      throw new IllegalArgumentException(
          "position=" + position + " not held: held=[" + startPosition + "," + endPosition + "]");
    }
  }

  @Override
  public String toString() {
    return "ReplayBuffer[start=" + startPosition + " end=" + endPosition + " capacity=" + capacity
        + "]";
  }
}
