package io.backedpipe.wire;

import java.util.Optional;
import org.apache.pekko.stream.Attributes;
import org.apache.pekko.stream.BidiShape;
import org.apache.pekko.stream.Inlet;
import org.apache.pekko.stream.Outlet;
import org.apache.pekko.stream.scaladsl.Framing.FramingException;
import org.apache.pekko.stream.stage.AbstractInHandler;
import org.apache.pekko.stream.stage.AbstractOutHandler;
import org.apache.pekko.stream.stage.GraphStage;
import org.apache.pekko.stream.stage.GraphStageLogic;
import org.apache.pekko.util.ByteString;

/**
 * The frame layer of a connection as one stage: frames from above go out as bytes ({@link
 * FrameCodec#encode}), bytes from below come in as frames ({@link FrameDecoder}). The two
 * directions are independent, as two stages would be: each ends or fails on its own, so a peer's
 * half-close or a malformed frame from the peer leaves the way out as it was (the layers above
 * decide what follows), and a frame that cannot be encoded fails only the way out.
 *
 * <p>One stage rather than an encoding {@code map} beside a decoding stage because a connection
 * keeps every stage it was made with for as long as it lives, each with its ports, handlers and
 * bookkeeping.
 *
 * <p>The way in fails with a {@link FramingException} for a length out of bounds and for an end
 * of the stream inside a frame, and with a {@link MalformedFrameException} for a header or frame
 * the protocol does not allow ({@link FrameDecoder}); the way out fails with an {@link
 * IllegalArgumentException} for a DATA payload above the codec's limit.
 *
 * <p>Ports: {@code in1} frames to send, {@code out1} their bytes; {@code in2} bytes received,
 * {@code out2} their frames. State lives in the logic.
 */
final class FrameLayer extends GraphStage<BidiShape<Frame, ByteString, ByteString, Frame>> {
  private final Inlet<Frame> toEncode = Inlet.create("FrameLayer.toEncode");
  private final Outlet<ByteString> encoded = Outlet.create("FrameLayer.encoded");
  private final Inlet<ByteString> toDecode = Inlet.create("FrameLayer.toDecode");
  private final Outlet<Frame> decoded = Outlet.create("FrameLayer.decoded");
  private final BidiShape<Frame, ByteString, ByteString, Frame> shape =
      BidiShape.of(toEncode, encoded, toDecode, decoded);
  private final FrameCodec codec;
  private final Optional<FrameType> firstType;

  /**
   * Creates the stage.
   *
   * @param codec encodes and decodes frames, and knows the DATA limit
   * @param firstType when present, the only type the first frame received may have
   */
  FrameLayer(FrameCodec codec, Optional<FrameType> firstType) {
    this.codec = codec;
    this.firstType = firstType;
  }

  @Override
  public BidiShape<Frame, ByteString, ByteString, Frame> shape() {
    return shape;
  }

  @Override
  public GraphStageLogic createLogic(Attributes attributes) {
    return new Logic();
  }

  private final class Logic extends GraphStageLogic {
    private final FrameDecoder decoder = new FrameDecoder(codec, firstType);

    Logic() {
      super(shape);
      setHandler(toEncode, new AbstractInHandler() {
        @Override
        public void onPush() {
          ByteString bytes;
          try {
            bytes = codec.encode(grab(toEncode));
          } catch (RuntimeException e) {
            fail(encoded, e);
            cancel(toEncode, e);
            return;
          }
          push(encoded, bytes);
        }

        @Override
        public void onUpstreamFinish() {
          complete(encoded);
        }

        @Override
        public void onUpstreamFailure(Throwable error) {
          fail(encoded, error);
        }
      });
      setHandler(encoded, new AbstractOutHandler() {
        @Override
        public void onPull() {
          pull(toEncode);
        }

        @Override
        public void onDownstreamFinish(Throwable cause) {
          cancel(toEncode, cause);
        }
      });
      setHandler(toDecode, new AbstractInHandler() {
        @Override
        public void onPush() {
          try {
            decoder.add(grab(toDecode));
          } catch (RuntimeException e) {
            failInbound(e);
            return;
          }
          emitOrPull();
        }

        @Override
        public void onUpstreamFinish() {
          emitOrPull();
        }

        @Override
        public void onUpstreamFailure(Throwable error) {
          decoder.clear();
          fail(decoded, error);
        }
      });
      setHandler(decoded, new AbstractOutHandler() {
        @Override
        public void onPull() {
          emitOrPull();
        }

        @Override
        public void onDownstreamFinish(Throwable cause) {
          decoder.clear();
          cancel(toDecode, cause);
        }
      });
    }

    /**
     * Pushes the next frame (or part of a DATA payload) if the layer above wants it; then asks
     * for more bytes unless something is ready to go, or ends the way in once the bytes ended.
     */
    private void emitOrPull() {
      try {
        if (decoder.ready() && isAvailable(decoded)) {
          push(decoded, decoder.take());
          decoder.readHeaderIfDue();
        }
      } catch (RuntimeException e) {
        failInbound(e); // after the frame pushed, if one was: it is valid
        return;
      }
      if (decoder.ready()) {
        return; // the next pull takes it
      }
      if (isClosed(toDecode)) {
        if (decoder.atBoundary()) {
          complete(decoded);
        } else {
          failInbound(new FramingException(
              "Stream finished but there was a truncated final frame in the buffer"));
        }
      } else if (!hasBeenPulled(toDecode)) {
        pull(toDecode);
      }
    }

    /** The way in fails; the way out goes on, as the layers above decide. */
    private void failInbound(Throwable error) {
      decoder.clear();
      fail(decoded, error);
      if (!isClosed(toDecode)) {
        cancel(toDecode, error);
      }
    }

    @Override
    public void postStop() {
      decoder.clear();
    }
  }
}
