package io.backedpipe.wire;

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
 * Cuts the incoming bytes of a connection into frames by their 4-byte big-endian length field at
 * offset 1 (the layout of {@link FrameCodec}), without copying: each frame is a slice of the
 * received chunks, joined as a rope when it spans two of them.
 *
 * <p>It replaces Pekko's {@code Framing.lengthField}, which compacts every frame it emits, that is
 * copies every received byte once more after the TCP read already did (about half of all the
 * bytes a pipe allocated while receiving at full speed). It fails in the same cases and with the
 * same {@link FramingException} messages: a negative length, a frame larger than the maximum or
 * whose size overflows (checked as soon as the 5 header bytes are in, before any payload is
 * buffered), and an end of stream inside a frame.
 */
final class FrameCutter extends GraphStage<FlowShape<ByteString, ByteString>> {
  private static final int HEADER_BYTES = 5;

  private final Inlet<ByteString> in = Inlet.create("FrameCutter.in");
  private final Outlet<ByteString> out = Outlet.create("FrameCutter.out");
  private final FlowShape<ByteString, ByteString> shape = FlowShape.of(in, out);
  private final int maxFrameBytes;

  /**
   * Creates the stage.
   *
   * @param maxFrameBytes the largest frame, header included
   */
  FrameCutter(int maxFrameBytes) {
    this.maxFrameBytes = maxFrameBytes;
  }

  @Override
  public FlowShape<ByteString, ByteString> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  private final class Logic extends GraphStageLogic {
    /** Received bytes not yet emitted; starts at a frame boundary. */
    private ByteString buffer = ByteString.emptyByteString();
    /** The size of the frame at the front of the buffer, header included; -1 until known. */
    private int frameBytes = -1;

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
     * Pushes the next whole frame if downstream wants it; then asks for more bytes unless a whole
     * frame is already waiting, or ends the stage once upstream ended.
     */
    private void emitOrPull() {
      if (!readHeaderIfDue()) {
        return; // failed
      }
      if (frameComplete() && isAvailable(out)) {
        push(out, buffer.take(frameBytes));
        buffer = buffer.drop(frameBytes);
        frameBytes = -1;
        if (!readHeaderIfDue()) {
          return;
        }
      }
      if (frameComplete()) {
        return; // the next pull takes it
      }
      if (isClosed(in)) {
        if (buffer.isEmpty()) {
          completeStage();
        } else {
          failStage(new FramingException(
              "Stream finished but there was a truncated final frame in the buffer"));
        }
      } else if (!hasBeenPulled(in)) {
        pull(in);
      }
    }

    private boolean frameComplete() {
      return frameBytes >= 0 && buffer.size() >= frameBytes;
    }

    /** Reads the header at the front once its 5 bytes are in; false if the stage failed. */
    private boolean readHeaderIfDue() {
      return frameBytes >= 0 || buffer.size() < HEADER_BYTES || readHeader();
    }

    /** Reads and checks the length of the frame at the front; false if the stage failed. */
    private boolean readHeader() {
      int length = (buffer.apply(1) & 0xFF) << 24 | (buffer.apply(2) & 0xFF) << 16
          | (buffer.apply(3) & 0xFF) << 8 | (buffer.apply(4) & 0xFF);
      if (length < 0) {
        failStage(new FramingException(
            "Decoded frame header reported negative size " + length));
        return false;
      }
      int size = length + HEADER_BYTES; // may overflow: reported as Pekko's framing does
      if (size > maxFrameBytes) {
        failStage(new FramingException("Maximum allowed frame size is " + maxFrameBytes
            + " but decoded frame header reported size " + size));
        return false;
      }
      if (size < HEADER_BYTES) {
        failStage(new FramingException("Computed frame size " + size
            + " is less than minimum chunk size " + HEADER_BYTES));
        return false;
      }
      frameBytes = size;
      return true;
    }
  }
}
