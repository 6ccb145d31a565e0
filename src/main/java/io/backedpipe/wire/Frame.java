package io.backedpipe.wire;

import java.util.Objects;
import java.util.UUID;
import org.apache.pekko.util.ByteString;

/**
 * What one side of a connection sends the other. The pipe's writer produces the stream frames
 * ({@link Data}, {@link Ack}, {@link EndOfStream}), its reader consumes them; the heartbeat ({@link
 * Ping}, {@link Pong}) and the endings ({@link Close}, {@link Error}) belong to the connection; the
 * handshake frames ({@link Challenge}, {@link Hello}, {@link Welcome}) come before any other. The
 * byte layout of each is in the package documentation; {@link FrameCodec} encodes and decodes.
 *
 * <p>Positions are absolute stream positions of the sending side's stream (for {@link Data} and
 * {@link EndOfStream}) or of the receiving side's stream (for {@link Ack}). Every record validates
 * its components in its constructor, so a frame that exists can be encoded (a {@link Data} payload
 * must also fit the codec's limit, and an {@link Ack} or {@link EndOfStream} position must not be
 * negative).
 */
public sealed interface Frame
    permits Frame.Data,
        Frame.Ack,
        Frame.EndOfStream,
        Frame.Ping,
        Frame.Pong,
        Frame.Close,
        Frame.Error,
        Frame.Challenge,
        Frame.Hello,
        Frame.Welcome {

  /**
   * Stream bytes, following the previous data frame (or the position exchanged at connect) without
   * a gap.
   *
   * @param payload the bytes; never empty
   */
  record Data(ByteString payload) implements Frame {
    /**
     * Validates the payload.
     *
     * @param payload the bytes; never empty
     * @throws IllegalArgumentException if the payload is empty
     */
    public Data {
      if (payload.isEmpty()) {
        throw new IllegalArgumentException("payload.size=0 must be > 0");
      }
    }

    @Override
    public String toString() {
      return "Data[size=" + payload.size() + "]";
    }
  }

  /**
   * The sender has delivered every byte before {@code position} of the receiver's stream to its
   * application: the receiver may release them from its replay window.
   *
   * @param position the acknowledged position
   */
  record Ack(long position) implements Frame {}

  /**
   * The sender's stream ends at {@code position}: no data follows. Replayed like data until
   * acknowledged, and idempotent.
   *
   * @param position the stream's final length
   */
  record EndOfStream(long position) implements Frame {}

  /**
   * Heartbeat: sent when nothing else was sent for the heartbeat interval, so that the peer's byte
   * liveness sees bytes. This implementation does not answer it (a receiver drops it); the
   * protocol defines {@link Pong} as its answer, with the same nonce.
   *
   * @param nonce any value; a pong would echo it
   */
  record Ping(long nonce) implements Frame {}

  /**
   * Heartbeat answer to the {@link Ping} with the same nonce. Defined by the protocol; this
   * implementation never sends it and drops one it receives.
   *
   * @param nonce the ping's nonce
   */
  record Pong(long nonce) implements Frame {}

  /**
   * The sender closed its pipe for good: the receiver must not reconnect to it.
   *
   * @param code an application-defined reason code, {@code 0..65535}
   * @param reason a human-readable reason, at most {@value #MAX_REASON_BYTES} bytes in UTF-8
   */
  record Close(int code, String reason) implements Frame {
    /** The most bytes {@code reason} takes in UTF-8. */
    public static final int MAX_REASON_BYTES = 1024;

    /**
     * Validates the code and the reason.
     *
     * @param code an application-defined reason code, {@code 0..65535}
     * @param reason a human-readable reason, at most {@value #MAX_REASON_BYTES} bytes in UTF-8
     * @throws IllegalArgumentException if the code is out of range or the reason is too long or not
     *     well-formed UTF-16
     * @throws NullPointerException if the reason is {@code null}
     */
    public Close {
      Checks.unsignedShort("code", code);
      Checks.utf8("reason", reason, MAX_REASON_BYTES);
    }

    /**
     * A CLOSE whose reason is cut, at a character boundary, to what fits in
     * {@value #MAX_REASON_BYTES} bytes of UTF-8; for reasons built from messages of unknown length.
     *
     * @param code an application-defined reason code, {@code 0..65535}
     * @param reason any reason
     * @return the frame
     * @throws IllegalArgumentException if the code is out of range
     */
    public static Close shortened(int code, String reason) {
      return new Close(code, Checks.fitUtf8(reason, MAX_REASON_BYTES));
    }

    /** The reason is the peer's text: quoted and escaped, so that printing a frame is safe. */
    @Override
    public String toString() {
      return "Close[code=" + code + ", reason=" + PeerText.quote(reason) + "]";
    }
  }

  /**
   * The sender is dropping this connection because of {@code code}; the pipe may reconnect.
   *
   * @param code why
   * @param message a human-readable detail, at most {@value #MAX_MESSAGE_BYTES} bytes in UTF-8
   */
  record Error(ErrorCode code, String message) implements Frame {
    /** The most bytes {@code message} takes in UTF-8. */
    public static final int MAX_MESSAGE_BYTES = 1024;

    /**
     * Validates the message.
     *
     * @param code why
     * @param message a human-readable detail, at most {@value #MAX_MESSAGE_BYTES} bytes in UTF-8
     * @throws IllegalArgumentException if the message is too long or not well-formed UTF-16
     * @throws NullPointerException if the code or the message is {@code null}
     */
    public Error {
      Objects.requireNonNull(code, "code");
      Checks.utf8("message", message, MAX_MESSAGE_BYTES);
    }

    /** The message is the peer's text: quoted and escaped, so that printing a frame is safe. */
    @Override
    public String toString() {
      return "Error[code=" + code + ", message=" + PeerText.quote(message) + "]";
    }
  }

  /**
   * The server's first frame on a new connection: the protocol version it speaks, whether it
   * requires a proof of the shared secret, and a fresh nonce that the client's {@link Hello} proof
   * covers.
   *
   * @param version the server's protocol version, {@code 0..65535}
   * @param proofRequired whether the server has a shared secret: it refuses a {@link Hello}
   *     without the proof, and proves itself in its {@link Welcome}
   * @param nonce exactly {@value #NONCE_BYTES} random bytes
   */
  record Challenge(int version, boolean proofRequired, ByteString nonce) implements Frame {
    /** The size of {@code nonce}. */
    public static final int NONCE_BYTES = 16;

    /**
     * Validates the version and the nonce.
     *
     * @param version the server's protocol version, {@code 0..65535}
     * @param proofRequired whether the server requires a proof
     * @param nonce exactly {@value #NONCE_BYTES} random bytes
     * @throws IllegalArgumentException if the version is out of range or the nonce has another size
     * @throws NullPointerException if the nonce is {@code null}
     */
    public Challenge {
      Checks.unsignedShort("version", version);
      Checks.exactly("nonce", nonce, NONCE_BYTES);
    }

    @Override
    public String toString() {
      return "Challenge[version=" + version + ", proofRequired=" + proofRequired + ", nonceSize="
          + nonce.size() + "]";
    }
  }

  /**
   * The client's answer to a {@link Challenge}: which stream it wants, whether to create it, where
   * its reading stands, its own fresh nonce (which the server's {@link Welcome} proof covers), and
   * its proof.
   *
   * @param version the client's protocol version, {@code 0..65535}
   * @param streamId the stream to attach to
   * @param create whether the server should create the stream if it does not know it
   * @param readPosition how many bytes of the server's stream the client has received, {@code >= 0}
   * @param historyCheck a check value over the stream's history, compared by the server
   * @param limits what the client accepts: the server keeps within them on this connection
   * @param nonce exactly {@value #NONCE_BYTES} random bytes, fresh for every connection
   * @param proof the client's proof over the challenge, {@code 0..}{@value #MAX_PROOF_BYTES} bytes
   */
  record Hello(
      int version,
      UUID streamId,
      boolean create,
      long readPosition,
      int historyCheck,
      LinkLimits limits,
      ByteString nonce,
      ByteString proof)
      implements Frame {
    /** The most bytes {@code proof} has. */
    public static final int MAX_PROOF_BYTES = 64;
    /** The size of {@code nonce}. */
    public static final int NONCE_BYTES = 16;

    /**
     * Validates the components.
     *
     * @param version the client's protocol version, {@code 0..65535}
     * @param streamId the stream to attach to
     * @param create whether the server should create the stream if it does not know it
     * @param readPosition how many bytes of the server's stream the client has received, {@code >=
     *     0}
     * @param historyCheck a check value over the stream's history, compared by the server
     * @param limits what the client accepts
     * @param nonce exactly {@value #NONCE_BYTES} random bytes
     * @param proof the client's proof, {@code 0..}{@value #MAX_PROOF_BYTES} bytes
     * @throws IllegalArgumentException if a value is out of range or the nonce has another size
     * @throws NullPointerException if the stream id, the limits, the nonce or the proof is
     *     {@code null}
     */
    public Hello {
      Checks.unsignedShort("version", version);
      Objects.requireNonNull(streamId, "streamId");
      Objects.requireNonNull(limits, "limits");
      if (readPosition < 0) {
        throw new IllegalArgumentException("readPosition=" + readPosition + " must be >= 0");
      }
      Checks.exactly("nonce", nonce, NONCE_BYTES);
      Checks.atMost("proof", proof, MAX_PROOF_BYTES);
    }

    @Override
    public String toString() {
      return String.format(
          "Hello[version=%d, streamId=%s, create=%b, readPosition=%d, historyCheck=%d,"
              + " limits=%s, nonceSize=%d, proofSize=%d]",
          version, streamId, create, readPosition, historyCheck, limits, nonce.size(),
          proof.size());
    }

    /**
     * A HELLO that states no limits ({@link LinkLimits#NONE}).
     *
     * @param version see the record's description
     * @param streamId see the record's description
     * @param create see the record's description
     * @param readPosition see the record's description
     * @param historyCheck see the record's description
     * @param nonce see the record's description
     * @param proof see the record's description
     */
    public Hello(int version, UUID streamId, boolean create, long readPosition, int historyCheck,
        ByteString nonce, ByteString proof) {
      this(version, streamId, create, readPosition, historyCheck, LinkLimits.NONE, nonce, proof);
    }

    /**
     * The same HELLO with a proof.
     *
     * @param proof the proof
     * @return the HELLO with {@code proof}
     */
    public Hello withProof(ByteString proof) {
      return new Hello(version, streamId, create, readPosition, historyCheck, limits, nonce,
          proof);
    }
  }

  /**
   * The server's answer to a {@link Hello}: whether the connection is accepted and, if so, where
   * the server's reading of the client's stream stands; with a shared secret, the server's proof
   * over all of it and both nonces.
   *
   * @param status the verdict; anything but {@link HandshakeStatus#OK} is followed by the server
   *     closing the connection
   * @param readPosition how many bytes of the client's stream the server has received, {@code >=
   *     0}; {@code -1} (unknown) is allowed when the status is not OK
   * @param historyCheck the server's check value over the stream's history
   * @param gracePeriodMillis how long the server keeps the stream for a reconnect, {@code >= 0}
   * @param limits what the server accepts: the client keeps within them on this connection
   * @param detail a human-readable detail, at most {@value #MAX_DETAIL_BYTES} bytes in UTF-8
   * @param proof the server's proof over the client's nonce, the challenge's and every other
   *     field, {@code 0..}{@value #MAX_PROOF_BYTES} bytes; empty from a server without a secret
   */
  record Welcome(
      HandshakeStatus status,
      long readPosition,
      int historyCheck,
      long gracePeriodMillis,
      LinkLimits limits,
      String detail,
      ByteString proof)
      implements Frame {
    /** The most bytes {@code detail} takes in UTF-8. */
    public static final int MAX_DETAIL_BYTES = 256;
    /** The most bytes {@code proof} has: as in {@link Hello}. */
    public static final int MAX_PROOF_BYTES = Hello.MAX_PROOF_BYTES;

    /**
     * Validates the components.
     *
     * @param status the verdict
     * @param readPosition {@code >= 0}, or {@code -1} when the status is not OK
     * @param historyCheck the server's check value over the stream's history
     * @param gracePeriodMillis {@code >= 0}
     * @param limits the server's limits
     * @param detail at most {@value #MAX_DETAIL_BYTES} bytes in UTF-8
     * @param proof at most {@value #MAX_PROOF_BYTES} bytes
     * @throws IllegalArgumentException if a value is out of range
     * @throws NullPointerException if the status, the limits, the detail or the proof is
     *     {@code null}
     */
    public Welcome {
      Objects.requireNonNull(status, "status");
      Objects.requireNonNull(limits, "limits");
      long minPosition = status == HandshakeStatus.OK ? 0 : -1;
      if (readPosition < minPosition) {
        throw new IllegalArgumentException(
            "readPosition="
                + readPosition
                + " must be >= "
                + minPosition
                + " when status="
                + status);
      }
      if (gracePeriodMillis < 0) {
        throw new IllegalArgumentException(
            "gracePeriodMillis=" + gracePeriodMillis + " must be >= 0");
      }
      Checks.utf8("detail", detail, MAX_DETAIL_BYTES);
      Checks.atMost("proof", proof, MAX_PROOF_BYTES);
    }

    @Override
    public String toString() {
      return String.format(
          "Welcome[status=%s, readPosition=%d, historyCheck=%d, gracePeriodMillis=%d,"
              + " limits=%s, detail=%s, proofSize=%d]",
          status, readPosition, historyCheck, gracePeriodMillis, limits, PeerText.quote(detail),
          proof.size());
    }

    /**
     * A WELCOME without a proof, as a server without a shared secret sends it.
     *
     * @param status see the record's description
     * @param readPosition see the record's description
     * @param historyCheck see the record's description
     * @param gracePeriodMillis see the record's description
     * @param limits see the record's description
     * @param detail see the record's description
     */
    public Welcome(HandshakeStatus status, long readPosition, int historyCheck,
        long gracePeriodMillis, LinkLimits limits, String detail) {
      this(status, readPosition, historyCheck, gracePeriodMillis, limits, detail,
          ByteString.emptyByteString());
    }

    /**
     * The same WELCOME with a proof.
     *
     * @param proof the proof
     * @return the WELCOME with {@code proof}
     */
    public Welcome withProof(ByteString proof) {
      return new Welcome(status, readPosition, historyCheck, gracePeriodMillis, limits, detail,
          proof);
    }

    /**
     * A detail that fits: any text (a {@code null} becomes {@code "null"}) cut to at most
     * {@value #MAX_DETAIL_BYTES} bytes of UTF-8 without splitting a character, so a WELCOME built
     * from an error's message cannot fail.
     *
     * @param text the text
     * @return the text, cut if need be
     */
    public static String fitDetail(String text) {
      return Checks.fitUtf8(String.valueOf(text), MAX_DETAIL_BYTES);
    }

    /**
     * A WELCOME that states no limits ({@link LinkLimits#NONE}) and carries no proof.
     *
     * @param status see the record's description
     * @param readPosition see the record's description
     * @param historyCheck see the record's description
     * @param gracePeriodMillis see the record's description
     * @param detail see the record's description
     */
    public Welcome(HandshakeStatus status, long readPosition, int historyCheck,
        long gracePeriodMillis, String detail) {
      this(status, readPosition, historyCheck, gracePeriodMillis, LinkLimits.NONE, detail,
          ByteString.emptyByteString());
    }
  }
}
