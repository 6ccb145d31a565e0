package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.wire.Frame;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The shared-secret proof: bound to the nonce and to every field of the HELLO. */
class SharedSecretTest {
  private static final SharedSecret SECRET =
      SharedSecret.of("correct horse battery staple".getBytes(StandardCharsets.UTF_8));
  private static final ByteString NONCE = ByteString.fromString("0123456789abcdef");
  private static final UUID STREAM = UUID.fromString("00000000-0000-0001-0000-000000000002");

  private static Frame.Hello hello(UUID stream, boolean create, long position, int check,
      ByteString proof) {
    return new Frame.Hello(TcpReconnector.VERSION, stream, create, position, check, proof);
  }

  private static Frame.Hello proven(ByteString nonce, UUID stream, boolean create, long position,
      int check) {
    Frame.Hello bare = hello(stream, create, position, check, ByteString.emptyByteString());
    return hello(stream, create, position, check, SECRET.proof(nonce, bare));
  }

  @Test
  void shouldVerifyAProofMadeForThisNonceAndHello() {
    Frame.Hello hello = proven(NONCE, STREAM, true, 42, 7);
    assertEquals(SharedSecret.PROOF_BYTES, hello.proof().size());
    assertTrue(SECRET.verifies(NONCE, hello));
  }

  @Test
  void shouldRefuseAProofReplayedUnderAnotherNonce() {
    Frame.Hello captured = proven(NONCE, STREAM, true, 42, 7);
    assertFalse(SECRET.verifies(ByteString.fromString("fedcba9876543210"), captured));
  }

  @Test
  void shouldRefuseAProofWhoseHelloFieldsWereChanged() {
    ByteString proof = proven(NONCE, STREAM, true, 42, 7).proof();
    assertFalse(SECRET.verifies(NONCE, hello(UUID.randomUUID(), true, 42, 7, proof)));
    assertFalse(SECRET.verifies(NONCE, hello(STREAM, false, 42, 7, proof)));
    assertFalse(SECRET.verifies(NONCE, hello(STREAM, true, 43, 7, proof)));
    assertFalse(SECRET.verifies(NONCE, hello(STREAM, true, 42, 8, proof)));
  }

  @Test
  void shouldRefuseAnEmptyTruncatedOrForeignProof() {
    Frame.Hello good = proven(NONCE, STREAM, true, 0, 0);
    assertFalse(SECRET.verifies(NONCE, hello(STREAM, true, 0, 0, ByteString.emptyByteString())));
    assertFalse(SECRET.verifies(NONCE, hello(STREAM, true, 0, 0, good.proof().take(31))));
    SharedSecret other = SharedSecret.of("another secret of enough bytes".getBytes(
        StandardCharsets.UTF_8));
    assertFalse(other.verifies(NONCE, good));
  }

  @Test
  void shouldReadAFileWithoutItsFinalNewline(@TempDir Path dir) throws Exception {
    Path file = dir.resolve("secret");
    Files.writeString(file, "correct horse battery staple\n");
    assertTrue(SharedSecret.fromFile(file).verifies(NONCE, proven(NONCE, STREAM, true, 1, 2)));
  }

  @Test
  void shouldRefuseShortMissingOrUnsetSecrets(@TempDir Path dir) {
    assertEquals("secret has 5 bytes, must have at least 16",
        assertThrows(IllegalArgumentException.class,
            () -> SharedSecret.of("short".getBytes(StandardCharsets.UTF_8))).getMessage());
    assertTrue(assertThrows(IllegalArgumentException.class,
            () -> SharedSecret.fromFile(dir.resolve("none"))).getMessage()
        .startsWith("cannot read secret file "));
    assertEquals("environment variable BP_SECRET is not set",
        assertThrows(IllegalArgumentException.class,
            () -> SharedSecret.fromEnvironment("BP_SECRET", Map.of())).getMessage());
    assertTrue(SharedSecret.fromEnvironment("BP_SECRET",
            Map.of("BP_SECRET", "correct horse battery staple"))
        .verifies(NONCE, proven(NONCE, STREAM, false, 3, 4)));
  }

  @Test
  void shouldNotShowTheSecret() {
    assertEquals("SharedSecret(hidden)", SECRET.toString());
  }
}
