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
 * The secret a client proves it knows in its {@code HELLO}: the proof is HMAC-SHA256, keyed with
 * the secret, over a fixed label, the server's fresh nonce from the {@code CHALLENGE} and every
 * other field of the {@code HELLO} (stream id, create flag, read position, history check, limits). A proof
 * is good for one connection only, because the nonce is new on every connection, so a captured
 * handshake cannot be replayed; and a stream id alone never grants access. The server compares in
 * constant time.
 *
 * <p>Load it from a file or an environment variable, never from a command line (which other users
 * of the machine can read). Immutable; {@link #toString} does not show it.
 */
public final class SharedSecret {
  /** The fewest bytes a secret may have. */
  public static final int MIN_BYTES = 16;
  /** The size of a proof. */
  public static final int PROOF_BYTES = 32;

  private static final byte[] LABEL = "backed-pipe/1 hello".getBytes(StandardCharsets.US_ASCII);
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
   * The proof for a {@code HELLO}'s fields under a server's nonce.
   *
   * @param nonce the nonce of the server's {@code CHALLENGE}
   * @param hello the {@code HELLO} (its own proof is ignored)
   * @return {@value #PROOF_BYTES} bytes
   */
  public ByteString proof(ByteString nonce, Frame.Hello hello) {
    try {
      Mac mac = Mac.getInstance(HMAC);
      mac.init(key);
      mac.update(LABEL);
      mac.update(nonce.toArrayUnsafe());
      ByteBuffer fields = ByteBuffer.allocate(16 + 1 + 8 + 4 + 4 + 8 + 8);
      fields.putLong(hello.streamId().getMostSignificantBits())
          .putLong(hello.streamId().getLeastSignificantBits())
          .put((byte) (hello.create() ? 1 : 0))
          .putLong(hello.readPosition())
          .putInt(hello.historyCheck())
          .putInt(hello.limits().maxDataBytes())
          .putLong(hello.limits().windowBytes())
          .putLong(hello.limits().readBufferBytes());
      mac.update(fields.array());
      return ByteString.fromArrayUnsafe(mac.doFinal());
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException("HmacSHA256 is not available: " + e, e); // every JDK has it
    }
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
