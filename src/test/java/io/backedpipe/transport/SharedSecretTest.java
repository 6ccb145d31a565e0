package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HandshakeStatus;
import io.backedpipe.wire.LinkLimits;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.UUID;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * The shared-secret proofs: the client's bound to both nonces and every field of the HELLO, the
 * server's to both nonces, the HELLO it answers and every field of the WELCOME.
 */
class SharedSecretTest {
  private static final SharedSecret SECRET =
      SharedSecret.of("correct horse battery staple".getBytes(StandardCharsets.UTF_8));
  private static final ByteString NONCE = ByteString.fromString("0123456789abcdef");
  private static final ByteString CLIENT_NONCE = ByteString.fromString("client nonce 16b");
  private static final UUID STREAM = UUID.fromString("00000000-0000-0001-0000-000000000002");

  private static Frame.Hello hello(UUID stream, boolean create, long position, int check,
      ByteString proof) {
    return new Frame.Hello(TcpReconnector.VERSION, stream, create, position, check, CLIENT_NONCE,
        proof);
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
  void shouldRefuseAHelloProofWhoseClientNonceWasChanged() {
    Frame.Hello hello = proven(NONCE, STREAM, true, 42, 7);
    Frame.Hello changed = new Frame.Hello(hello.version(), STREAM, true, 42, 7, hello.limits(),
        ByteString.fromString("another nonce 16"), hello.proof());
    assertFalse(SECRET.verifies(NONCE, changed));
  }

  private static final LinkLimits LIMITS = new LinkLimits(1024, 2048, 4096);

  private static Frame.Welcome welcome(HandshakeStatus status, long position, int check,
      long grace, LinkLimits limits, String detail) {
    return new Frame.Welcome(status, position, check, grace, limits, detail);
  }

  private static Frame.Welcome provenWelcome(ByteString nonce, Frame.Hello hello,
      Frame.Welcome bare) {
    return bare.withProof(SECRET.proof(nonce, hello, bare));
  }

  @Test
  void shouldVerifyAWelcomeProofMadeForThisConnection() {
    Frame.Hello hello = proven(NONCE, STREAM, true, 42, 7);
    for (Frame.Welcome bare : new Frame.Welcome[] {
        welcome(HandshakeStatus.OK, 5, 6, 7, LIMITS, ""),
        welcome(HandshakeStatus.UNKNOWN_STREAM, -1, 0, 60_000, LIMITS, "streamId=x"),
        welcome(HandshakeStatus.UNKNOWN, -1, 0, 0, LinkLimits.NONE, "")}) {
      Frame.Welcome welcome = provenWelcome(NONCE, hello, bare);
      assertEquals(SharedSecret.PROOF_BYTES, welcome.proof().size());
      assertTrue(SECRET.verifies(NONCE, hello, welcome), bare.toString());
    }
  }

  @Test
  void shouldRefuseAWelcomeProofFromAnotherConnection() {
    Frame.Hello hello = proven(NONCE, STREAM, true, 42, 7);
    Frame.Welcome captured = provenWelcome(NONCE, hello,
        welcome(HandshakeStatus.UNKNOWN_STREAM, -1, 0, 0, LIMITS, ""));
    // another server nonce
    assertFalse(SECRET.verifies(ByteString.fromString("fedcba9876543210"), hello, captured));
    // another client nonce
    Frame.Hello otherClientNonce = new Frame.Hello(hello.version(), STREAM, true, 42, 7,
        hello.limits(), ByteString.fromString("another nonce 16"), hello.proof());
    assertFalse(SECRET.verifies(NONCE, otherClientNonce, captured));
  }

  @Test
  void shouldRefuseAWelcomeProofForAHelloChangedInFlight() {
    Frame.Hello sent = proven(NONCE, STREAM, true, 42, 7);
    Frame.Welcome bare = welcome(HandshakeStatus.VERSION_UNSUPPORTED, -1, 0, 0, LIMITS, "");
    // what a server answers to a HELLO whose version or position a forger changed
    Frame.Hello[] changed = {
        new Frame.Hello(3, STREAM, true, 42, 7, sent.limits(), sent.nonce(), sent.proof()),
        hello(STREAM, true, 41, 7, sent.proof()),
        hello(STREAM, true, 42, 7, sent.proof().take(31))};
    for (Frame.Hello read : changed) {
      assertFalse(SECRET.verifies(NONCE, sent, provenWelcome(NONCE, read, bare)), read.toString());
    }
  }

  @Test
  void shouldRefuseAWelcomeProofWhoseFieldsWereChanged() {
    Frame.Hello hello = proven(NONCE, STREAM, true, 42, 7);
    ByteString proof = provenWelcome(NONCE, hello,
        welcome(HandshakeStatus.OK, 5, 6, 7, LIMITS, "d")).proof();
    Frame.Welcome[] forged = {
        welcome(HandshakeStatus.UNKNOWN_STREAM, 5, 6, 7, LIMITS, "d"),
        welcome(HandshakeStatus.OK, 4, 6, 7, LIMITS, "d"),
        welcome(HandshakeStatus.OK, 5, 9, 7, LIMITS, "d"),
        welcome(HandshakeStatus.OK, 5, 6, 8, LIMITS, "d"),
        welcome(HandshakeStatus.OK, 5, 6, 7, new LinkLimits(1024, 2048, 4097), "d"),
        welcome(HandshakeStatus.OK, 5, 6, 7, LIMITS, "e"),
        welcome(HandshakeStatus.OK, 5, 6, 7, LIMITS, "d").withProof(proof.take(31))};
    for (Frame.Welcome welcome : forged) {
      Frame.Welcome withProof = welcome.proof().isEmpty() ? welcome.withProof(proof) : welcome;
      assertFalse(SECRET.verifies(NONCE, hello, withProof), welcome.toString());
    }
    assertFalse(SECRET.verifies(NONCE, hello, welcome(HandshakeStatus.OK, 5, 6, 7, LIMITS, "d")));
  }

  @Test
  void shouldNeverTakeAHelloProofForAWelcomeProof() {
    // the labels differ: a server's proof and a client's never collide on the same nonce
    Frame.Hello hello = proven(NONCE, STREAM, true, 42, 7);
    Frame.Welcome bare = welcome(HandshakeStatus.OK, 5, 6, 7, LIMITS, "");
    assertFalse(SECRET.proof(NONCE, hello, bare).equals(hello.proof()));
    SharedSecret other = SharedSecret.of("another secret of enough bytes".getBytes(
        StandardCharsets.UTF_8));
    assertFalse(other.verifies(NONCE, hello, provenWelcome(NONCE, hello, bare)));
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
