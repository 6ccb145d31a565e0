package io.backedpipe.tunnel.mux;

import org.apache.pekko.util.ByteString;

/**
 * One frame of the tunnel's stream multiplexing, carried inside the byte stream of the one pipe a
 * {@code connect} keeps to its {@code serve}. The pipe already makes that byte stream reliable and
 * ordered across lost connections, so these frames need no sequence numbers, acknowledgements or
 * replay of their own: they only say which tunneled stream a run of bytes belongs to, where a
 * stream starts and ends, and how much more each stream may send (per-stream flow control, so
 * that one stream whose reader is slow cannot stall the others). The layout is in
 * {@code docs/protocol.md}, "The tunnel's streams".
 */
public sealed interface MuxFrame {
  /**
   * The stream the frame belongs to.
   *
   * @return its id, {@code >= 1}
   */
  int stream();

  /**
   * The client opens a stream: a new local connection. Only the client sends it, with ids that
   * only grow.
   *
   * @param stream the new stream's id
   */
  record Open(int stream) implements MuxFrame {}

  /**
   * The next bytes of a stream, within the credit its receiver gave.
   *
   * @param stream the stream
   * @param bytes {@code 1..}{@link MuxCodec#MAX_DATA} bytes
   */
  record Data(int stream, ByteString bytes) implements MuxFrame {}

  /**
   * The sender's side of a stream ended cleanly (its TCP connection sent EOF): a half-close. The
   * other direction goes on until it ends too.
   *
   * @param stream the stream
   */
  record Eof(int stream) implements MuxFrame {}

  /**
   * The stream ends at once, both ways, because a connection at one end failed or could not be
   * made; the receiver resets its TCP connection and logs the reason.
   *
   * @param stream the stream
   * @param code why, a {@code TunnelCloseCode}'s code
   * @param reason for the other end's log, at most {@link MuxCodec#MAX_REASON_BYTES} of UTF-8
   */
  record Reset(int stream, int code, String reason) implements MuxFrame {}

  /**
   * The receiver of a stream took {@code bytes} more off its buffer: the sender may send that much
   * more.
   *
   * @param stream the stream
   * @param bytes {@code >= 1}
   */
  record Credit(int stream, int bytes) implements MuxFrame {}
}
