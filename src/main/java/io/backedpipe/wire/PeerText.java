package io.backedpipe.wire;

/**
 * Renders text a remote peer chose (a {@code CLOSE} reason, an {@code ERROR} message, a
 * {@code WELCOME} detail) for a log line or an exception message, so that the peer cannot forge
 * log lines, colour a terminal or reorder what a reader sees.
 *
 * <p>Pure and stateless. By default the text is quoted, cut to {@value #MAX_CHARS} characters
 * (then {@code ...} follows the closing quote), and every control character, Unicode line or
 * paragraph separator and bidirectional formatting character is written as <code>&#92;uXXXX</code>
 * (hex digits); a backslash and a quote get a backslash before them, so the rendering reads back
 * unambiguously. {@code null} renders as {@code null}.
 *
 * <pre>
 * PeerText.quote("bye\r\n[ERROR] forged")   // "bye&#92;u000d&#92;u000a[ERROR] forged"
 * </pre>
 */
public final class PeerText {
  /** The most characters of peer text kept; a CLOSE reason may be up to 123 UTF-8 bytes anyway. */
  public static final int MAX_CHARS = 200;

  private PeerText() {}

  /**
   * Quotes, escapes and cuts peer text.
   *
   * @param text the peer's text, or {@code null}
   * @return the quoted text, one line, at most about {@code 6 * MAX_CHARS + 5} characters
   */
  public static String quote(String text) {
    if (text == null) {
      return "null";
    }
    StringBuilder out = new StringBuilder(Math.min(text.length(), MAX_CHARS) + 2).append('"');
    int kept = 0;
    int i = 0;
    while (i < text.length()) {
      int c = text.codePointAt(i);
      int width = Character.charCount(c); // a surrogate pair is kept or cut whole
      if (kept + width > MAX_CHARS) {
        break;
      }
      appendEscaped(out, c);
      i += width;
      kept += width;
    }
    out.append('"');
    return i < text.length() ? out.append("...").toString() : out.toString();
  }

  /**
   * Quotes the first bytes a peer sent, which need not be text (a server that is not ours: an SSH
   * banner, a TLS record): printable ASCII is kept, a quote and a backslash get a backslash before
   * them, every other byte is written <code>&#92;xNN</code>; after {@code maxBytes} bytes
   * {@code ...} follows the closing quote.
   *
   * <pre>
   * PeerText.quoteBytes("SSH-2.0-OpenSSH_9.6\r\n".getBytes(), 12)   // "SSH-2.0-Open"...
   * </pre>
   *
   * @param bytes the bytes
   * @param maxBytes the most bytes shown
   * @return the quoted bytes, one line
   */
  public static String quoteBytes(byte[] bytes, int maxBytes) {
    int shown = Math.min(bytes.length, Math.max(0, maxBytes));
    StringBuilder out = new StringBuilder(shown + 5).append('"');
    for (int i = 0; i < shown; i++) {
      int b = bytes[i] & 0xFF;
      if (b == '\\' || b == '"') {
        out.append('\\').append((char) b);
      } else if (b >= 0x20 && b < 0x7F) {
        out.append((char) b);
      } else {
        out.append(String.format("\\x%02x", b));
      }
    }
    out.append('"');
    return shown < bytes.length ? out.append("...").toString() : out.toString();
  }

  private static void appendEscaped(StringBuilder out, int c) {
    if (c == '\\' || c == '"') {
      out.append('\\').appendCodePoint(c);
    } else if (needsEscape(c)) {
      out.append(String.format("\\u%04x", c));
    } else {
      out.appendCodePoint(c);
    }
  }

  private static boolean needsEscape(int c) {
    return Character.isISOControl(c) // C0, DEL, C1: CR, LF, ESC, NEL ...
        || c == '\u2028' || c == '\u2029' // line and paragraph separators
        || (c >= '\u202a' && c <= '\u202e') // bidi embeddings and overrides
        || (c >= '\u2066' && c <= '\u2069') // bidi isolates
        || Character.getType(c) == Character.FORMAT // bidi marks, zero-width and tag characters
        || Character.getType(c) == Character.SURROGATE; // a lone half of a pair
  }
}
