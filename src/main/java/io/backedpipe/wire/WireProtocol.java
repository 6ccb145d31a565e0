package io.backedpipe.wire;

import java.util.Optional;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.util.ByteString;

/**
 * The frame layer of a TCP connection as one {@link BidiFlow}: frames go out as bytes, bytes come
 * in as frames.
 *
 * <pre>
 *        +------------------------------------------+
 *        | frames(maxDataBytes)                     |
 *   Frame ~~&gt; encode (FrameCodec.encode)        ~~&gt; ByteString
 *        |                                          |
 *   Frame &lt;~~ FrameDecoder (length at 1, 4 bytes) &lt;~~ ByteString
 *        +------------------------------------------+
 * </pre>
 *
 * <p>One stage ({@link FrameLayer}) whose two directions end and fail on their own; every
 * materialization is independent. The inbound side is a {@link FrameDecoder} (big-endian, length
 * field at offset 1; frames are slices of the received bytes, never copied):
 * a DATA frame's payload is emitted as soon as any part of it is in, as one or more {@code Data}
 * frames, so the frame size never decides whether a slow link gets anything through; every other
 * frame is emitted whole. It fails the stream with a {@code scaladsl.Framing.FramingException} for
 * a length above {@link FrameCodec#maxFrameBytes} or negative and for a frame truncated by the end
 * of the stream, and with {@link MalformedFrameException} for a header or frame that breaks a rule
 * (both checked as soon as the 5 header bytes are in, before any payload is buffered, where the
 * header tells). Neither is converted: the transport maps both to its disconnect cause.
 * The outbound side fails with {@link IllegalArgumentException} for a DATA payload above the limit.
 *
 * <pre>{@code
 * BidiFlow<Frame, ByteString, ByteString, Frame, NotUsed> wire = WireProtocol.frames(256 * 1024);
 * Flow<Frame, Frame, ?> connection = wire.join(Tcp.get(system).outgoingConnection(host, port));
 * }</pre>
 */
public final class WireProtocol {
  private WireProtocol() {}

  /**
   * The frame codec over length-field framing.
   *
   * @param maxDataBytes the largest DATA payload either side sends, at least 1
   * @return encoding (top, {@code Frame -> ByteString}) atop decoding (bottom, {@code ByteString ->
   *     Frame})
   * @throws IllegalArgumentException if {@code maxDataBytes} is out of range (see {@link
   *     FrameCodec#maxFrameBytes})
   */
  public static BidiFlow<Frame, ByteString, ByteString, Frame, NotUsed> frames(int maxDataBytes) {
    return frames(maxDataBytes, Optional.empty());
  }

  /**
   * The frame codec over length-field framing, for a receiver that knows the type of the first
   * frame it may get (a server before the handshake: {@link FrameType#HELLO}). A first header of
   * another type, or longer than that type allows, fails the inbound side with a {@link
   * MalformedFrameException} from the header alone, so an unauthenticated peer never has a
   * payload buffered beyond that type's largest frame.
   *
   * @param maxDataBytes the largest DATA payload either side sends, at least 1
   * @param firstType the only type the first inbound frame may have
   * @return encoding (top) atop decoding (bottom)
   * @throws IllegalArgumentException if {@code maxDataBytes} is out of range
   */
  public static BidiFlow<Frame, ByteString, ByteString, Frame, NotUsed> frames(int maxDataBytes,
      FrameType firstType) {
    return frames(maxDataBytes, Optional.of(firstType));
  }

  private static BidiFlow<Frame, ByteString, ByteString, Frame, NotUsed> frames(int maxDataBytes,
      Optional<FrameType> firstType) {
    return BidiFlow.fromGraph(new FrameLayer(new FrameCodec(maxDataBytes), firstType));
  }
}
