package io.backedpipe.tunnel.mux;

import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.util.ByteIterator;
import org.apache.pekko.util.ByteString;

/**
 * Reads {@link MuxFrame}s out of one direction of a tunnel's pipe, whatever the pieces the bytes
 * arrive in. It checks the preamble, then each header as soon as its 9 bytes are there (before
 * waiting for a payload, so a length that no frame of its type may have is refused at once), then
 * each payload. The first fault throws a {@link MuxProtocolException}; the decoder is of no use
 * after that, as the connection that sent the bytes is.
 *
 * <p>Not thread-safe: one per direction, used by the actor that owns it.
 */
public final class MuxDecoder {
  private static final ByteOrder ORDER = ByteOrder.BIG_ENDIAN;

  private ByteString buffer = ByteString.emptyByteString();
  private boolean preambleSeen;

  /**
   * Takes the next bytes and returns the frames they complete, in order.
   *
   * @param bytes the next bytes
   * @return the whole frames now available, perhaps none
   * @throws MuxProtocolException when the bytes break the protocol
   */
  public List<MuxFrame> feed(ByteString bytes) throws MuxProtocolException {
    buffer = buffer.concat(bytes);
    List<MuxFrame> frames = new ArrayList<>(2);
    if (!preambleSeen) {
      if (buffer.size() < MuxCodec.PREAMBLE_BYTES) {
        checkMagicSoFar();
        return frames;
      }
      checkPreamble();
      buffer = buffer.drop(MuxCodec.PREAMBLE_BYTES);
      preambleSeen = true;
    }
    while (buffer.size() >= MuxCodec.HEADER_BYTES) {
      ByteIterator header = buffer.iterator();
      int type = header.getByte() & 0xFF;
      int stream = header.getInt(ORDER);
      int length = header.getInt(ORDER);
      checkHeader(type, stream, length);
      if (buffer.size() < MuxCodec.HEADER_BYTES + length) {
        break;
      }
      ByteString payload = buffer.slice(MuxCodec.HEADER_BYTES, MuxCodec.HEADER_BYTES + length);
      buffer = buffer.drop(MuxCodec.HEADER_BYTES + length);
      frames.add(frame(type, stream, payload));
    }
    if (buffer.isEmpty()) {
      buffer = ByteString.emptyByteString(); // let go of the pieces the frames were cut from
    }
    return frames;
  }

  /** A peer that is no tunnel at all is told apart from the first differing byte. */
  private void checkMagicSoFar() throws MuxProtocolException {
    for (int i = 0; i < Math.min(buffer.size(), MuxCodec.MAGIC.length); i++) {
      if (buffer.apply(i) != MuxCodec.MAGIC[i]) {
        throw notATunnel();
      }
    }
  }

  private void checkPreamble() throws MuxProtocolException {
    checkMagicSoFar();
    ByteIterator rest = buffer.iterator().drop(MuxCodec.MAGIC.length);
    int version = rest.getShort(ORDER) & 0xFFFF;
    int reserved = rest.getShort(ORDER) & 0xFFFF;
    if (version != MuxCodec.VERSION) {
      throw new MuxProtocolException("the other end speaks tunnel protocol version " + version
          + ", this one " + MuxCodec.VERSION + ": use the same release of backed-pipe on both");
    }
    if (reserved != 0) {
      throw new MuxProtocolException("the tunnel preamble's reserved bytes are not zero");
    }
  }

  private MuxProtocolException notATunnel() {
    return new MuxProtocolException("the other end does not speak the tunnel protocol (its first"
        + " bytes are not a tunnel preamble: an older backed-pipe, or not a tunnel at all)");
  }

  private static void checkHeader(int type, int stream, int length)
      throws MuxProtocolException {
    if (type < MuxCodec.OPEN || type > MuxCodec.CREDIT) {
      throw new MuxProtocolException("unknown tunnel frame type " + type);
    }
    if (stream <= 0) {
      throw new MuxProtocolException("tunnel frame for stream " + Integer.toUnsignedString(stream)
          + ": stream ids start at 1 and stay below 2^31");
    }
    boolean fits = switch (type) {
      case MuxCodec.OPEN, MuxCodec.EOF -> length == 0;
      case MuxCodec.DATA -> length >= 1 && length <= MuxCodec.MAX_DATA;
      case MuxCodec.RESET -> length >= 2 && length <= 2 + MuxCodec.MAX_REASON_BYTES;
      default -> length == 4;
    };
    if (!fits) {
      throw new MuxProtocolException("tunnel " + MuxCodec.typeName(type) + " frame for stream "
          + stream
          + " with a payload of " + Integer.toUnsignedString(length) + " bytes, which it may not"
          + " have");
    }
  }

  private static MuxFrame frame(int type, int stream, ByteString payload)
      throws MuxProtocolException {
    switch (type) {
      case MuxCodec.OPEN:
        return new MuxFrame.Open(stream);
      case MuxCodec.DATA:
        return new MuxFrame.Data(stream, payload);
      case MuxCodec.EOF:
        return new MuxFrame.Eof(stream);
      case MuxCodec.RESET:
        ByteIterator reset = payload.iterator();
        int code = reset.getShort(ORDER) & 0xFFFF;
        return new MuxFrame.Reset(stream, code, utf8(payload.drop(2), stream));
      default:
        int credit = payload.iterator().getInt(ORDER);
        if (credit <= 0) {
          throw new MuxProtocolException("tunnel CREDIT for stream " + stream + " of "
              + Integer.toUnsignedString(credit) + " bytes: a credit is 1 to 2^31-1 bytes");
        }
        return new MuxFrame.Credit(stream, credit);
    }
  }

  private static String utf8(ByteString bytes, int stream) throws MuxProtocolException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes.asByteBuffer()).toString();
    } catch (CharacterCodingException e) {
      throw new MuxProtocolException("tunnel RESET for stream " + stream
          + " with a reason that is not UTF-8");
    }
  }
}
