package io.backedpipe.wire;

/**
 * What one side of a connection accepts, told to the peer in the handshake ({@code HELLO} and
 * {@code WELCOME}), so the two agree per connection instead of trusting both to be configured
 * alike.
 *
 * <p>A sender keeps within its peer's limits: it sends DATA frames of at most the smaller of its
 * own and the peer's {@code maxDataBytes}, and never has more than the peer's {@code
 * readBufferBytes} sent but unacknowledged (it keeps the rest in its window until acks make
 * room). A receiver acknowledges at least every half of the smaller of the peer's {@code
 * windowBytes} and its own read buffer, so the peer's window never fills for want of an ack.
 *
 * @param maxDataBytes the largest DATA payload this side sends and wants to receive, from 1 to
 *     {@link FrameCodec#MAX_DATA_BYTES}
 * @param windowBytes the most bytes this side keeps written but unacknowledged, at least 1
 * @param readBufferBytes the most received bytes this side holds for an application that is not
 *     reading, at least 1
 */
public record LinkLimits(int maxDataBytes, long windowBytes, long readBufferBytes) {
  /** Limits that limit nothing: what a peer that states none (an in-memory link) is taken to have. */
  public static final LinkLimits NONE =
      new LinkLimits(FrameCodec.MAX_DATA_BYTES, Long.MAX_VALUE, Long.MAX_VALUE);

  /**
   * Validates the values.
   *
   * @param maxDataBytes see the record's description
   * @param windowBytes see the record's description
   * @param readBufferBytes see the record's description
   * @throws IllegalArgumentException when a value is out of range
   */
  public LinkLimits {
    if (maxDataBytes < 1 || maxDataBytes > FrameCodec.MAX_DATA_BYTES) {
      throw new IllegalArgumentException("maxDataBytes=" + maxDataBytes + " must be in [1, "
          + FrameCodec.MAX_DATA_BYTES + "]");
    }
    if (windowBytes < 1) {
      throw new IllegalArgumentException("windowBytes=" + windowBytes + " must be >= 1");
    }
    if (readBufferBytes < 1) {
      throw new IllegalArgumentException("readBufferBytes=" + readBufferBytes + " must be >= 1");
    }
  }
}
