package io.backedpipe.wire;

import java.nio.ByteBuffer;
import java.nio.CharBuffer;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.util.ByteString;

/**
 * Argument checks and strict UTF-8, shared by the frame records and the codec. Messages are {@code
 * key=value}.
 */
final class Checks {
  /** The largest value of a 2-byte unsigned field. */
  static final int MAX_UNSIGNED_SHORT = 0xFFFF;

  private Checks() {}

  /**
   * Fails unless {@code value} fits a 2-byte unsigned field.
   *
   * @param name the field's name
   * @param value the field's value
   * @throws IllegalArgumentException if the value is outside {@code 0..65535}
   */
  static void unsignedShort(String name, int value) {
    if (value < 0 || value > MAX_UNSIGNED_SHORT) {
      throw new IllegalArgumentException(
          name + "=" + value + " must be in [0," + MAX_UNSIGNED_SHORT + "]");
    }
  }

  /**
   * Encodes {@code value} in UTF-8, failing on unpaired surrogates rather than replacing them.
   *
   * @param name the field's name
   * @param value the text
   * @param maxBytes the most bytes the encoding may take
   * @return the encoding, wrapping the encoder's array without a copy
   * @throws IllegalArgumentException if the text is not well-formed or too long
   * @throws NullPointerException if the text is {@code null}
   */
  static ByteString utf8(String name, String value, int maxBytes) {
    ByteBuffer encoded;
    try {
      encoded =
          StandardCharsets.UTF_8
              .newEncoder()
              .onMalformedInput(CodingErrorAction.REPORT)
              .onUnmappableCharacter(CodingErrorAction.REPORT)
              .encode(CharBuffer.wrap(value));
    } catch (CharacterCodingException e) {
      throw new IllegalArgumentException(name + " is not well-formed UTF-16: " + e, e);
    }
    if (encoded.remaining() > maxBytes) {
      throw new IllegalArgumentException(
          name + ".utf8Bytes=" + encoded.remaining() + " must be <= " + maxBytes);
    }
    return ByteString.fromArrayUnsafe(
        encoded.array(), encoded.arrayOffset() + encoded.position(), encoded.remaining());
  }

  /**
   * Checks a byte field's size.
   *
   * @param name the field's name, for the message
   * @param bytes the field
   * @param size the size it must have
   * @throws IllegalArgumentException if it has another
   */
  static void exactly(String name, ByteString bytes, int size) {
    if (bytes.size() != size) {
      throw new IllegalArgumentException(name + ".size=" + bytes.size() + " must be " + size);
    }
  }

  /**
   * Checks a byte field's size.
   *
   * @param name the field's name, for the message
   * @param bytes the field
   * @param max the largest size allowed
   * @throws IllegalArgumentException if it is larger
   */
  static void atMost(String name, ByteString bytes, int max) {
    if (bytes.size() > max) {
      throw new IllegalArgumentException(name + ".size=" + bytes.size() + " must be <= " + max);
    }
  }

  /**
   * Cuts {@code value} to the longest prefix whose UTF-8 takes at most {@code maxBytes}, never
   * splitting a character; a lone surrogate becomes {@code ?}.
   *
   * @param value the text
   * @param maxBytes the most bytes the encoding may take
   * @return the text that fits
   */
  static String fitUtf8(String value, int maxBytes) {
    ByteBuffer out = ByteBuffer.allocate(maxBytes);
    StandardCharsets.UTF_8
        .newEncoder()
        .onMalformedInput(CodingErrorAction.REPLACE)
        .onUnmappableCharacter(CodingErrorAction.REPLACE)
        .encode(CharBuffer.wrap(value), out, true); // stops before a character that does not fit
    out.flip();
    return StandardCharsets.UTF_8.decode(out).toString();
  }

  /**
   * Decodes strict UTF-8: malformed input fails rather than becoming U+FFFD.
   *
   * @param bytes the encoding, read in place
   * @return the text
   * @throws CharacterCodingException if the bytes are not well-formed UTF-8
   */
  static String utf8(ByteString bytes) throws CharacterCodingException {
    return StandardCharsets.UTF_8
        .newDecoder()
        .onMalformedInput(CodingErrorAction.REPORT)
        .onUnmappableCharacter(CodingErrorAction.REPORT)
        .decode(bytes.asByteBuffer())
        .toString();
  }
}
