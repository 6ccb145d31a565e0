package io.backedpipe.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** What peer text looks like in a log line: one line, escaped, bounded. */
class PeerTextTest {
  @Test
  void shouldEscapeLineBreaksAndTerminalEscapes() {
    assertEquals("\"bye\\u000d\\u000a[ERROR] forged line\\u001b[31m\"",
        PeerText.quote("bye\r\n[ERROR] forged line\u001b[31m"));
  }

  @Test
  void shouldEscapeTabsDeleteAndC1Controls() {
    assertEquals("\"a\\u0009b\\u007fc\\u0085d\\u0000\"", PeerText.quote("a\tb\u007fc\u0085d\0"));
  }

  @Test
  void shouldEscapeUnicodeLineSeparatorsAndBidiControls() {
    assertEquals("\"\\u2028\\u2029\\u202e\\u2066\\u200f\\u061c\"",
        PeerText.quote("\u2028\u2029\u202e\u2066\u200f\u061c"));
  }

  @Test
  void shouldEscapeQuotesAndBackslashesSoTheQuoteCannotBeClosedEarly() {
    assertEquals("\"say \\\"hi\\\" \\\\u000a\"", PeerText.quote("say \"hi\" \\u000a"));
  }

  @Test
  void shouldKeepOrdinaryTextAndNonAsciiLetters() {
    assertEquals("\"target refused: Connexion refusée 😀\"",
        PeerText.quote("target refused: Connexion refusée 😀"));
  }

  @Test
  void shouldRenderNullAndEmpty() {
    assertEquals("null", PeerText.quote(null));
    assertEquals("\"\"", PeerText.quote(""));
  }

  @Test
  void shouldCutLongTextAndSayItWasCut() {
    String quoted = PeerText.quote("x".repeat(PeerText.MAX_CHARS + 1));
    assertEquals("\"" + "x".repeat(PeerText.MAX_CHARS) + "\"...", quoted);
    assertEquals("\"" + "x".repeat(PeerText.MAX_CHARS) + "\"",
        PeerText.quote("x".repeat(PeerText.MAX_CHARS)));
  }

  @Test
  void shouldNotSplitASurrogatePairAtTheCut() {
    String text = "x".repeat(PeerText.MAX_CHARS - 1) + "😀" + "tail";
    String quoted = PeerText.quote(text);
    // the pair would end one char over the limit: it is left out whole, never split
    assertTrue(quoted.endsWith("x\"..."), quoted);
    assertEquals(-1, quoted.indexOf('\ud83d'));
    assertEquals(-1, quoted.indexOf("tail"));
  }

  @Test
  void shouldEscapeInvisibleFormatCharacters() {
    // zero-width space, word joiner, byte order mark: they could hide text in a log line
    assertEquals("\"a\\u200bb\\u2060c\\ufeffd\"", PeerText.quote("a\u200bb\u2060c\ufeffd"));
  }

  @Test
  void shouldEscapeALoneSurrogate() {
    assertEquals("\"a\\ud83db\"", PeerText.quote("a\ud83db"));
  }

  @Test
  void shouldQuoteForeignBytesKeepingPrintableAsciiAndEscapingTheRest() {
    byte[] tls = {0x16, 0x03, 0x01, 'a', '"', '\\', (byte) 0xff};
    assertEquals("\"\\x16\\x03\\x01a\\\"\\\\\\xff\"", PeerText.quoteBytes(tls, 10));
  }

  @Test
  void shouldCutForeignBytesAfterTheLimit() {
    byte[] banner = "SSH-2.0-OpenSSH_9.6\r\n".getBytes(java.nio.charset.StandardCharsets.US_ASCII);
    assertEquals("\"SSH-2.0-Open\"...", PeerText.quoteBytes(banner, 12));
    assertEquals("\"SSH-2.0-OpenSSH_9.6\\x0d\\x0a\"", PeerText.quoteBytes(banner, 64));
  }
}
