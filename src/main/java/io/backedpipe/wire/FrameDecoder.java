package io.backedpipe.wire;

import java.util.Optional;
import org.apache.pekko.stream.scaladsl.Framing.FramingException;
import org.apache.pekko.util.ByteString;

/**
 * Cuts the incoming bytes of a connection into frames, without copying, and hands on a DATA
 * frame's payload as soon as any of it is in. Plain state, no stream: {@link FrameLayer} runs it
 * in the connection's stage.
 *
 * <p>Why DATA is streamed: a receiver that waits for whole frames makes the frame size decide
 * whether a slow link works. A 256 KiB frame needs 4 s at 64 KB/s and 16 s at 16 KB/s; the bytes
 * of a frame that was still arriving when the link broke were lost (and sent again), so on a slow
 * link that breaks now and then a big frame might never get through. A DATA payload is plain
 * stream bytes in order, with nothing at its end to check, so a part of it is as good as the
 * whole: the decoder gives out {@code Data} with whatever part of the current DATA frame is in,
 * and the pipe counts and acknowledges those bytes at once. It never buffers a DATA payload, so
 * the memory a connection holds here is one TCP read, whatever the frame sizes. Every other frame
 * is small (its length is checked against its type's limit from the header, before its payload
 * is buffered) and is given out whole, decoded by {@link FrameCodec#decode}.
 *
 * <p>It throws a {@link FramingException} for a length with the top bit set or above
 * {@link FrameCodec#maxFrameBytes}; a {@link MalformedFrameException} for an unknown type code, a
 * DATA length of 0 or above the codec's limit, a control frame longer than its type allows, and
 * any frame that does not decode. Headers are read as soon as their 5 bytes are in, so these come
 * before any payload is buffered where the header tells.
 *
 * <p>A decoder made with a first frame type (the server's, before the handshake: {@code HELLO})
 * also throws a {@link MalformedFrameException} when the first header names another type, so an
 * unauthenticated peer can make it hold no more than that type's largest frame: a wrong type or a
 * longer length is refused from the 5 header bytes, before any payload is buffered.
 *
 * <p>Not thread-safe: it belongs to one stage logic.
 */
final class FrameDecoder {
  private final FrameCodec codec;
  private final Optional<FrameType> firstType;
  /** Received bytes not yet given out: at a frame boundary, or inside a DATA payload. */
  private ByteString buffer = ByteString.emptyByteString();
  /** The size of the control frame at the front of the buffer, header included; -1 if none. */
  private int frameBytes = -1;
  /** Payload bytes of the current DATA frame still to come; the buffer starts with them. */
  private int dataRemaining;
  /** Whether a header was accepted already (the first-type rule applies only before). */
  private boolean headerSeen;

  /**
   * Creates a decoder.
   *
   * @param codec decodes frames and knows the DATA limit
   * @param firstType when present, the only type the first frame may have
   */
  FrameDecoder(FrameCodec codec, Optional<FrameType> firstType) {
    this.codec = codec;
    this.firstType = firstType;
  }

  /**
   * Takes the next bytes received, and reads the header they complete, if any.
   *
   * @param bytes the bytes, kept as they are (sliced, never copied)
   * @throws FramingException for a length out of bounds
   * @throws MalformedFrameException for a header the protocol does not allow
   */
  void add(ByteString bytes) {
    buffer = buffer.concat(bytes);
    readHeaderIfDue();
  }

  /**
   * Whether a frame, or a part of a DATA payload, is ready to {@link #take}.
   *
   * @return whether one is ready
   */
  boolean ready() {
    return dataRemaining > 0 ? !buffer.isEmpty() : frameBytes >= 0 && buffer.size() >= frameBytes;
  }

  /**
   * Takes the ready frame, or the part of a DATA payload that is in, off the buffer. Call {@link
   * #readHeaderIfDue} after handing it on.
   *
   * @return the frame
   * @throws MalformedFrameException if the frame does not decode
   * @throws IllegalStateException if none is {@link #ready}
   */
  Frame take() {
    if (!ready()) {
      throw new IllegalStateException("no frame is ready");
    }
    if (dataRemaining > 0) {
      int n = Math.min(dataRemaining, buffer.size());
      Frame data = new Frame.Data(buffer.take(n));
      buffer = buffer.drop(n);
      dataRemaining -= n;
      return data;
    }
    Frame frame = codec.decode(buffer.take(frameBytes));
    buffer = buffer.drop(frameBytes);
    frameBytes = -1;
    return frame;
  }

  /**
   * Reads the header at the front of the buffer once its bytes are in and none is being read.
   *
   * @throws FramingException for a length out of bounds
   * @throws MalformedFrameException for a header the protocol does not allow
   */
  void readHeaderIfDue() {
    if (dataRemaining == 0 && frameBytes < 0 && buffer.size() >= FrameCodec.HEADER_BYTES) {
      readHeader();
    }
  }

  /**
   * Whether the bytes so far end at a frame boundary: an end of the stream now is clean.
   *
   * @return whether nothing is left over
   */
  boolean atBoundary() {
    return buffer.isEmpty() && dataRemaining == 0;
  }

  /**
   * Lets go of what was received: a stopped stage can outlive its stream for a while (a
   * materializer's subscription timeout may still reference the graph), and must not keep a
   * peer's bytes alive meanwhile.
   */
  void clear() {
    buffer = ByteString.emptyByteString();
  }

  private void readHeader() {
    int code = buffer.apply(0) & 0xFF;
    int length = (buffer.apply(1) & 0xFF) << 24 | (buffer.apply(2) & 0xFF) << 16
        | (buffer.apply(3) & 0xFF) << 8 | (buffer.apply(4) & 0xFF);
    int maxFrameBytes = FrameCodec.maxFrameBytes(codec.maxDataBytes());
    if (length < 0) {
      throw new FramingException("Decoded frame header reported negative size " + length);
    }
    int size = length + FrameCodec.HEADER_BYTES; // may overflow: reported as Pekko's framing does
    if (size > maxFrameBytes) {
      throw new FramingException("Maximum allowed frame size is " + maxFrameBytes
          + " but decoded frame header reported size " + size);
    }
    if (size < FrameCodec.HEADER_BYTES) {
      throw new FramingException("Computed frame size " + size
          + " is less than minimum chunk size " + FrameCodec.HEADER_BYTES);
    }
    FrameType type = FrameType.fromCode(code);
    codec.checkHeader(type, code, length);
    codec.checkBeforePayload(type, length);
    checkFirstType(type);
    headerSeen = true;
    if (code == FrameType.DATA.code()) {
      buffer = buffer.drop(FrameCodec.HEADER_BYTES);
      dataRemaining = length;
    } else {
      frameBytes = size;
    }
  }

  /** Before the first header, only the first type is allowed (when one is set). */
  private void checkFirstType(FrameType type) {
    if (!headerSeen && firstType.isPresent() && type != firstType.get()) {
      throw new MalformedFrameException(ErrorCode.PROTOCOL_VIOLATION, type,
          "expected=" + firstType.get() + " first got=" + type);
    }
  }
}
