package io.backedpipe.buffer;

import org.apache.pekko.util.ByteString;

/**
 * The last {@value ReplayBuffer#HISTORY_BYTES} bytes of a stream, kept for its history check
 * ({@code ResumePoint.check}), as a compact copy.
 *
 * <p>Why a copy: a {@code takeRight} of received or written bytes is a view into the whole chunk
 * it came from (a TCP read, a write batch: up to 1 MiB), and a pipe keeps its history for as long
 * as it lives. Every idle pipe would pin up to a chunk per direction. Copying 64 bytes per frame
 * costs nothing next to the frame.
 */
public final class HistoryTail {
  private HistoryTail() {}

  /**
   * The last bytes of {@code history} followed by {@code more}.
   *
   * @param history the tail so far (at most {@value ReplayBuffer#HISTORY_BYTES} bytes)
   * @param more the bytes that followed it
   * @return at most {@value ReplayBuffer#HISTORY_BYTES} bytes, compact (sharing no larger array)
   */
  public static ByteString append(ByteString history, ByteString more) {
    ByteString last = more.size() >= ReplayBuffer.HISTORY_BYTES
        ? more.takeRight(ReplayBuffer.HISTORY_BYTES)
        : history.concat(more).takeRight(ReplayBuffer.HISTORY_BYTES);
    return last.compact();
  }
}
