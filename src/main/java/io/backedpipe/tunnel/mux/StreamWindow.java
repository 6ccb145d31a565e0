package io.backedpipe.tunnel.mux;

/**
 * The receiving side of one stream's flow control: how much the peer may send, checked as bytes
 * arrive, and how much more to grant as the stream's TCP connection takes them.
 *
 * <p>The window follows the rate at which the connection takes the stream's bytes: what it took
 * in {@link #DRAIN_TIME}, twice over, at least {@link MuxCodec#INITIAL_CREDIT} and at most the
 * stream's cap. All the bytes a stream may have outstanding (granted and not yet taken) sit
 * somewhere on the one pipe the streams share, ahead of every other stream's next bytes; a fixed
 * window of megabytes on a link of 64 KB/s would make a keystroke on another stream wait behind a
 * minute of bulk. With the window sized to about a second of what the stream really moves (twice
 * what it took in the last {@value #DRAIN_TIME}), one stream's bulk holds up the others by about
 * that much, while on a fast link the window grows
 * to its cap within the first few grants (a stream limited by its window measures a rate of about
 * window per round trip, and the next window is that times {@code 2 * DRAIN_TIME / round trip}: it
 * grows as long as the round trip is under a second).
 *
 * <p>Not thread-safe: owned by the session actor.
 */
public final class StreamWindow {
  /** How long the bytes a stream has outstanding should take to drain, at its measured rate. */
  public static final long DRAIN_TIME_NANOS = 500_000_000L;
  /** The same, for the docs. */
  public static final String DRAIN_TIME = "500 ms";

  private final long cap;
  /** Everything granted so far, the initial credit included. */
  private long granted = MuxCodec.INITIAL_CREDIT;
  private long received;
  private long consumed;
  /** When the last take was reported, or the stream began. */
  private long lastReportNanos;
  private long window = MuxCodec.INITIAL_CREDIT;

  /**
   * Starts a stream's accounting.
   *
   * @param cap the largest window the stream may have ({@code >= INITIAL_CREDIT})
   * @param nowNanos the time the stream began
   */
  public StreamWindow(long cap, long nowNanos) {
    this.cap = Math.max(cap, MuxCodec.INITIAL_CREDIT);
    this.lastReportNanos = nowNanos;
  }

  /**
   * Counts bytes that arrived from the peer.
   *
   * @param bytes how many
   * @return false when they go beyond the credit the peer had (a protocol fault; nothing counted)
   */
  public boolean received(int bytes) {
    if (bytes > credit()) {
      return false;
    }
    received += bytes;
    return true;
  }

  /**
   * The largest window the stream may have.
   *
   * @return bytes
   */
  public long cap() {
    return cap;
  }

  /**
   * The credit the peer has left: what it may still send.
   *
   * @return bytes
   */
  public long credit() {
    return granted - received;
  }

  /**
   * The window now: what the stream may have outstanding.
   *
   * @return bytes
   */
  public long window() {
    return window;
  }

  /**
   * Counts bytes the stream's TCP connection took, and says how much to grant for them.
   *
   * @param bytes how many ({@code >= 1})
   * @param nowNanos when
   * @return the bytes to grant the peer now, 0 for none yet
   */
  public int consumed(int bytes, long nowNanos) {
    consumed += bytes;
    long elapsed = Math.max(1, nowNanos - lastReportNanos);
    lastReportNanos = nowNanos;
    // bytes per nanosecond times the drain time, twice over: room to grow when the window, and
    // not the link, is what holds the rate back
    double wanted = 2.0 * bytes * DRAIN_TIME_NANOS / elapsed;
    window = (long) Math.max(MuxCodec.INITIAL_CREDIT, Math.min(cap, wanted));
    long outstanding = granted - consumed;
    long deficit = window - outstanding;
    if (deficit < Math.max(1, window / 4)) {
      return 0;
    }
    int grant = (int) Math.min(deficit, Integer.MAX_VALUE);
    granted += grant;
    return grant;
  }
}
