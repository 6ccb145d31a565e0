package io.backedpipe.transport;

import io.backedpipe.wire.Frame;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.MessageDigest;
import java.util.Arrays;
import java.util.Map;
import javax.crypto.Mac;
import javax.crypto.spec.SecretKeySpec;
import org.apache.pekko.util.ByteString;

/**
 * The secret both ends prove they know. The client proves it in its {@code HELLO}: HMAC-SHA256,
 * keyed with the secret, over a fixed label, the server's fresh nonce from the {@code CHALLENGE},
 * the client's own nonce and every other field of the {@code HELLO} (stream id, create flag, read
 * position, history check, limits). The server proves it in its {@code WELCOME}, OK or refusal:
 * the same over another label, both nonces and every field of the {@code WELCOME}. A proof is
 * good for one connection only, because each side's nonce is new on every connection, so neither
 * a captured {@code HELLO} nor a captured {@code WELCOME} can be replayed; a stream id alone never
 * grants access; and a party without the secret can neither open streams nor refuse them in the
 * server's name. Both sides compare in constant time.
 *
 * <p>Load it from a file or an environment variable, never from a command line (which other users
 * of the machine can read). Immutable; {@link #toString} does not show it.
 */
public final class SharedSecret {
  /** The fewest bytes a secret may have. */
  public static final int MIN_BYTES = 16;
  /** The size of a proof. */
  public static final int PROOF_BYTES = 32;

  private static final byte[] HELLO_LABEL =
      "backed-pipe/2 hello".getBytes(StandardCharsets.US_ASCII);
  /** Another label, so that no HELLO proof can ever pass for a WELCOME proof or back. */
  private static final byte[] WELCOME_LABEL =
      "backed-pipe/2 welcome".getBytes(StandardCharsets.US_ASCII);
  private static final String HMAC = "HmacSHA256";

  private final SecretKeySpec key;

  private SharedSecret(byte[] secret) {
    if (secret.length < MIN_BYTES) {
      throw new IllegalArgumentException(
          "secret has " + secret.length + " bytes, must have at least " + MIN_BYTES);
    }
    this.key = new SecretKeySpec(secret, HMAC);
  }

  /**
   * A secret from bytes (copied).
   *
   * @param secret at least {@value #MIN_BYTES} bytes
   * @return the secret
   * @throws IllegalArgumentException if it is too short
   */
  public static SharedSecret of(byte[] secret) {
    return new SharedSecret(secret.clone());
  }

  /**
   * The secret in a file: its content with surrounding whitespace (a final newline) removed.
   *
   * @param file the file
   * @return the secret
   * @throws IllegalArgumentException if the file cannot be read or the secret is too short
   */
  public static SharedSecret fromFile(Path file) {
    try {
      return new SharedSecret(trim(Files.readAllBytes(file)));
    } catch (IOException e) {
      throw new IllegalArgumentException("cannot read secret file " + file + ": " + e, e);
    }
  }

  /**
   * The secret in an environment variable, as UTF-8.
   *
   * @param name the variable's name
   * @param environment the environment, usually {@code System.getenv()}
   * @return the secret
   * @throws IllegalArgumentException if the variable is not set or the secret is too short
   */
  public static SharedSecret fromEnvironment(String name, Map<String, String> environment) {
    String value = environment.get(name);
    if (value == null || value.isBlank()) {
      throw new IllegalArgumentException("environment variable " + name + " is not set");
    }
    return new SharedSecret(trim(value.getBytes(StandardCharsets.UTF_8)));
  }

  /**
   * The proof for a {@code HELLO}'s fields, its nonce included, under a server's nonce.
   *
   * @param nonce the nonce of the server's {@code CHALLENGE}
   * @param hello the {@code HELLO} (its own proof is ignored)
   * @return {@value #PROOF_BYTES} bytes
   */
  public ByteString proof(ByteString nonce, Frame.Hello hello) {
    Mac mac = mac(HELLO_LABEL);
    mac.update(nonce.toArrayUnsafe());
    mac.update(hello.nonce().toArrayUnsafe());
    mac.update(helloFields(hello));
    return ByteString.fromArrayUnsafe(mac.doFinal());
  }

  /**
   * Whether a {@code HELLO}'s proof is right for the nonce, compared in constant time.
   *
   * @param nonce the nonce this server sent on this connection
   * @param hello the client's {@code HELLO}
   * @return true if the client knows the secret
   */
  public boolean verifies(ByteString nonce, Frame.Hello hello) {
    return MessageDigest.isEqual(proof(nonce, hello).toArrayUnsafe(),
        hello.proof().toArrayUnsafe());
  }

  /**
   * The server's proof for a {@code WELCOME}: over this connection's two nonces, the {@code HELLO}
   * it answers exactly as the server read it (version and proof included), and every field of the
   * {@code WELCOME}. Covering the {@code HELLO} means a {@code HELLO} changed in flight (a lowered
   * read position, another version) yields a {@code WELCOME} its client cannot verify, so a
   * refusal provoked that way is never taken as the server's word.
   *
   * @param challengeNonce the nonce of the server's {@code CHALLENGE} on this connection
   * @param hello the {@code HELLO} answered, with its nonce and proof
   * @param welcome the {@code WELCOME} (its own proof is ignored)
   * @return {@value #PROOF_BYTES} bytes
   */
  public ByteString proof(ByteString challengeNonce, Frame.Hello hello, Frame.Welcome welcome) {
    Mac mac = mac(WELCOME_LABEL);
    mac.update(challengeNonce.toArrayUnsafe());
    mac.update(hello.nonce().toArrayUnsafe());
    mac.update(ByteBuffer.allocate(2).putShort((short) hello.version()).array());
    mac.update(helloFields(hello));
    mac.update((byte) hello.proof().size());
    mac.update(hello.proof().toArrayUnsafe());
    byte[] detail = welcome.detail().getBytes(StandardCharsets.UTF_8);
    ByteBuffer fields = ByteBuffer.allocate(1 + 8 + 4 + 8 + 4 + 8 + 8 + 2);
    fields.put((byte) welcome.status().code()) // as on the wire: UNKNOWN is 0xFF
        .putLong(welcome.readPosition())
        .putInt(welcome.historyCheck())
        .putLong(welcome.gracePeriodMillis())
        .putInt(welcome.limits().maxDataBytes())
        .putLong(welcome.limits().windowBytes())
        .putLong(welcome.limits().readBufferBytes())
        .putShort((short) detail.length);
    mac.update(fields.array());
    mac.update(detail);
    return ByteString.fromArrayUnsafe(mac.doFinal());
  }

  /**
   * Whether a {@code WELCOME}'s proof is right for this connection, compared in constant time. A
   * missing proof is wrong.
   *
   * @param challengeNonce the nonce of the server's {@code CHALLENGE}
   * @param hello the {@code HELLO} this client sent
   * @param welcome the server's {@code WELCOME}
   * @return true if the server knows the secret, read this client's {@code HELLO} unchanged, and
   *     sent this {@code WELCOME} on this connection, unchanged
   */
  public boolean verifies(ByteString challengeNonce, Frame.Hello hello, Frame.Welcome welcome) {
    return MessageDigest.isEqual(proof(challengeNonce, hello, welcome).toArrayUnsafe(),
        welcome.proof().toArrayUnsafe());
  }

  /** Stream id, create flag, read position, history check and limits, as the proofs cover them. */
  private static byte[] helloFields(Frame.Hello hello) {
    return ByteBuffer.allocate(16 + 1 + 8 + 4 + 4 + 8 + 8)
        .putLong(hello.streamId().getMostSignificantBits())
        .putLong(hello.streamId().getLeastSignificantBits())
        .put((byte) (hello.create() ? 1 : 0))
        .putLong(hello.readPosition())
        .putInt(hello.historyCheck())
        .putInt(hello.limits().maxDataBytes())
        .putLong(hello.limits().windowBytes())
        .putLong(hello.limits().readBufferBytes())
        .array();
  }

  private Mac mac(byte[] label) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      mac.update(label);
      return mac;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available: " + e, e); // every JDK has it
    }
  }

  @Override
  public String toString() {
    return "SharedSecret(hidden)";
  }

  private static byte[] trim(byte[] bytes) {
    int from = 0;
    int to = bytes.length;
    while (from < to && Character.isWhitespace(bytes[from])) {
      from++;
    }
    while (to > from && Character.isWhitespace(bytes[to - 1])) {
      to--;
    }
    return Arrays.copyOfRange(bytes, from, to);
  }
}
