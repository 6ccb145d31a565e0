package io.backedpipe.wire;

import java.util.Optional;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.FlowShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.scaladsl.Framing.FramingException;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * Turns the incoming bytes of a connection into frames, without copying, and hands on a DATA
 * frame's payload as soon as any of it is in.
 *
 * <p>Why DATA is streamed: a receiver that waits for whole frames makes the frame size decide
 * whether a slow link works. A 256 KiB frame needs 4 s at 64 KB/s and 16 s at 16 KB/s; the bytes
 * of a frame that was still arriving when the link broke were lost (and sent again), so on a slow
 * link that breaks now and then a big frame might never get through. A DATA payload is plain
 * stream bytes in order, with nothing at its end to check, so a part of it is as good as the
 * whole: this stage emits {@code Data} with whatever part of the current DATA frame is in, and the
 * pipe counts and acknowledges those bytes at once. It never buffers a DATA payload, so the
 * memory a connection holds here is one TCP read, whatever the frame sizes. Every other frame is
 * small (its length is checked against its type's limit from the header, before its payload is
 * buffered) and is emitted whole, decoded by {@link FrameCodec#decode}.
 *
 * <p>It fails the stream with a {@link FramingException} for a length with the top bit set or
 * above {@link FrameCodec#maxFrameBytes}, and for an end of stream inside a frame (the DATA bytes
 * before it were emitted and are valid); with a {@link MalformedFrameException} for an unknown
 * type code, a DATA length of 0 or above the codec's limit, a control frame longer than its type
 * allows, and any frame that does not decode.
 *
 * <p>A decoder made with a first frame type (the server's, before the handshake: {@code HELLO})
 * also fails with a {@link MalformedFrameException} when the first header names another type, so
 * an unauthenticated peer can make it hold no more than that type's largest frame: a wrong type or
 * a longer length is refused from the 5 header bytes, before any payload is buffered.
 */
final class FrameDecoder extends GraphStage<FlowShape<ByteString, Frame>> {
  private final Inlet<ByteString> in = Inlet.create("FrameDecoder.in");
  private final Outlet<Frame> out = Outlet.create("FrameDecoder.out");
  private final FlowShape<ByteString, Frame> shape = FlowShape.of(in, out);
  private final FrameCodec codec;
  private final Optional<FrameType> firstType;

  /**
   * Creates the stage.
   *
   * @param codec decodes frames and knows the DATA limit
   * @param firstType when present, the only type the first frame may have
   */
  FrameDecoder(FrameCodec codec, Optional<FrameType> firstType) {
    this.codec = codec;
    this.firstType = firstType;
  }

  @Override
  public FlowShape<ByteString, Frame> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  private final class Logic extends GraphStageLogic {
    /** Received bytes not yet emitted: at a frame boundary, or inside a DATA payload. */
    private ByteString buffer = ByteString.emptyByteString();
    /** The size of the control frame at the front of the buffer, header included; -1 if none. */
    private int frameBytes = -1;
    /** Payload bytes of the current DATA frame still to come; the buffer starts with them. */
    private int dataRemaining;
    /** Whether a header was accepted already (the first-type rule applies only before). */
    private boolean headerSeen;

    Logic() {
      super(shape);
      setHandler(in, new AbstractInHandler() {
        @Override
        public void onPush() {
          buffer = buffer.concat(grab(in));
          emitOrPull();
        }

        @Override
        public void onUpstreamFinish() {
          emitOrPull();
        }
      });
      setHandler(out, new AbstractOutHandler() {
        @Override
        public void onPull() {
          emitOrPull();
        }
      });
    }

    /**
     * Pushes the next frame (or part of a DATA payload) if downstream wants it; then asks for more
     * bytes unless something is ready to go, or ends the stage once upstream ended.
     */
    private void emitOrPull() {
      if (!readHeaderIfDue()) {
        return; // failed
      }
      if (ready() && isAvailable(out)) {
        Frame next = take();
        if (next == null) {
          return; // failed
        }
        push(out, next);
        if (!readHeaderIfDue()) {
          return;
        }
      }
      if (ready()) {
        return; // the next pull takes it
      }
      if (isClosed(in)) {
        if (buffer.isEmpty() && dataRemaining == 0) {
          completeStage();
        } else {
          failStage(new FramingException(
              "Stream finished but there was a truncated final frame in the buffer"));
        }
      } else if (!hasBeenPulled(in)) {
        pull(in);
      }
    }

    private boolean ready() {
      return dataRemaining > 0 ? !buffer.isEmpty() : frameBytes >= 0 && buffer.size() >= frameBytes;
    }

    /** The ready frame or DATA part, taken off the buffer; null if the stage failed. */
    private Frame take() {
      if (dataRemaining > 0) {
        int n = Math.min(dataRemaining, buffer.size());
        Frame data = new Frame.Data(buffer.take(n));
        buffer = buffer.drop(n);
        dataRemaining -= n;
        return data;
      }
      Frame frame;
      try {
        frame = codec.decode(buffer.take(frameBytes));
      } catch (MalformedFrameException e) {
        failStage(e);
        return null;
      }
      buffer = buffer.drop(frameBytes);
      frameBytes = -1;
      return frame;
    }

    /** Reads the header at the front once its bytes are in; false if the stage failed. */
    private boolean readHeaderIfDue() {
      return dataRemaining > 0 || frameBytes >= 0 || buffer.size() < FrameCodec.HEADER_BYTES
          || readHeader();
    }

    /** Reads and checks the header at the front; false if the stage failed. */
    private boolean readHeader() {
      int code = buffer.apply(0) & 0xFF;
      int length = (buffer.apply(1) & 0xFF) << 24 | (buffer.apply(2) & 0xFF) << 16
          | (buffer.apply(3) & 0xFF) << 8 | (buffer.apply(4) & 0xFF);
      int maxFrameBytes = FrameCodec.maxFrameBytes(codec.maxDataBytes());
      if (length < 0) {
        failStage(new FramingException(
            "Decoded frame header reported negative size " + length));
        return false;
      }
      int size = length + FrameCodec.HEADER_BYTES; // may overflow: reported as Pekko's framing does
      if (size > maxFrameBytes) {
        failStage(new FramingException("Maximum allowed frame size is " + maxFrameBytes
            + " but decoded frame header reported size " + size));
        return false;
      }
      if (size < FrameCodec.HEADER_BYTES) {
        failStage(new FramingException("Computed frame size " + size
            + " is less than minimum chunk size " + FrameCodec.HEADER_BYTES));
        return false;
      }
      try {
        FrameType type = FrameType.fromCode(code);
        codec.checkHeader(type, code, length);
        codec.checkBeforePayload(type, length);
        checkFirstType(type);
      } catch (MalformedFrameException e) {
        failStage(e);
        return false;
      }
      headerSeen = true;
      if (code == FrameType.DATA.code()) {
        buffer = buffer.drop(FrameCodec.HEADER_BYTES);
        dataRemaining = length;
      } else {
        frameBytes = size;
      }
      return true;
    }
  
    @Override
    public void postStop() {
      // A stopped stage can outlive its stream for a while (a materializer's subscription timeout
      // may still reference the graph): it must not keep a peer's bytes alive meanwhile.
      buffer = ByteString.emptyByteString();
    }

    /** Before the first header, only the first type is allowed (when one is set). */
    private void checkFirstType(FrameType type) {
      if (!headerSeen && firstType.isPresent() && type != firstType.get()) {
        throw new MalformedFrameException(ErrorCode.PROTOCOL_VIOLATION, type,
            "expected=" + firstType.get() + " first got=" + type);
      }
    }
  }
}
