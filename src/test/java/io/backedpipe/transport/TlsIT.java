package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.BackedPipe;
import io.backedpipe.DisconnectCause;
import io.backedpipe.Events;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.PipeState;
import io.backedpipe.ReconnectFailedException;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.server.PipeRegistry;
import io.backedpipe.server.PipeServer;
import io.backedpipe.server.ServerSettings;
import java.net.InetSocketAddress;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * Pipes over TLS on loopback, with certificates made by keytool for the test: byte-exact echo
 * through cuts (each reconnect is a new TLS session), a client that does not trust the server, and
 * mutual TLS.
 */
class TlsIT {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration TIMEOUT = Duration.ofSeconds(10);
  @TempDir
  static Path dir;
  private static TestCertificates certs;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certs = TestCertificates.create(dir);
  }

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static PipeSettings pipeSettings() {
    return PipeSettings.create(testKit.system())
        .withWindowBytes(256 * 1024)
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(100)));
  }

  private static TransportSettings transport() {
    return TransportSettings.create(testKit.system())
        .withHeartbeat(Duration.ofMillis(200), Duration.ofSeconds(2));
  }

  private static PipeServer echoServer(TlsSettings tls) throws Exception {
    return PipeServer.bind(testKit.system(), "127.0.0.1", 0, ServerSettings.create(testKit.system()),
            pipeSettings(), transport(), TlsContext.load(tls),
            (id, pipe) -> pipe.source().runWith(pipe.sink(), testKit.system()))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  private static BackedPipe client(InetSocketAddress server, TlsSettings tls) {
    // dialed as 127.0.0.1: the certificate names that address, which the client checks
    return BackedPipe.of(testKit.spawn(BackedPipe.create(
        new TcpReconnector(testKit.system(), server, UUID.randomUUID(), true, transport(),
            TlsContext.load(tls)), pipeSettings())), testKit.system());
  }

  private static <T> T await(CompletionStage<T> stage) throws Exception {
    return stage.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
  }

  private static List<ByteString> randomChunks(long seed, int count, int maxBytes) {
    Random random = new Random(seed);
    List<ByteString> chunks = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      byte[] chunk = new byte[1 + random.nextInt(maxBytes)];
      random.nextBytes(chunk);
      chunks.add(ByteString.fromArrayUnsafe(chunk));
    }
    return chunks;
  }

  private static ByteString concat(List<ByteString> chunks) {
    return chunks.stream().reduce(ByteString.emptyByteString(), ByteString::concat);
  }

  private static CompletionStage<ByteString> echo(BackedPipe client, List<ByteString> chunks) {
    Source.from(chunks).runWith(client.sink(), testKit.system());
    return client.source()
        .runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), testKit.system());
  }

  private static TestProbe<PipeEvent> subscribed(BackedPipe pipe) {
    TestProbe<PipeEvent> events = testKit.createTestProbe();
    pipe.subscribe(events.ref());
    return events;
  }

  private static void awaitHostedPipes(PipeServer server, int expected) {
    TestProbe<Integer> count = testKit.createTestProbe();
    count.awaitAssert(TIMEOUT, () -> {
      server.registry().tell(new PipeRegistry.CountPipes(count.ref()));
      assertEquals(expected, count.receiveMessage());
      return null;
    });
  }

  /**
   * The TLS failure behind a failed attempt; {@code connect()} keeps waiting meanwhile, since the
   * policy goes on retrying.
   */
  private static TlsFailedException tlsFailure(BackedPipe client) {
    TestProbe<PipeEvent> events = testKit.createTestProbe();
    client.subscribe(events.ref());
    java.util.concurrent.CompletableFuture<?> connecting = client.connect().toCompletableFuture();
    PipeEvent.ReconnectFailed failed = Events.await(events, PipeEvent.ReconnectFailed.class,
        Duration.ofSeconds(10));
    assertFalse(connecting.isDone(), "connect() answered while the policy retries");
    return assertInstanceOf(TlsFailedException.class, failed.error().getCause(),
        failed.error().toString());
  }

  @Test
  void shouldEchoByteExactOverTlsThroughCutsAndEndCleanly() throws Exception {
    PipeServer server = echoServer(certs.server());
    TcpProxy proxy = TcpProxy.start(testKit.system(), server.address());
    BackedPipe client = client(proxy.address(), certs.client());
    TestProbe<PipeEvent> events = subscribed(client);
    await(client.connect());
    List<ByteString> chunks = randomChunks(11, 1024, 16 * 1024); // about 8 MiB
    CompletionStage<ByteString> echoed = echo(client, chunks);
    int cuts = 0;
    while (!echoed.toCompletableFuture().isDone() && cuts < 10) {
      Events.await(events, PipeEvent.Connected.class, TIMEOUT);
      proxy.cutAll(); // the next connection is a new TCP connection and a new TLS session
      cuts++;
    }
    assertEquals(concat(chunks), await(echoed), "after " + cuts + " cuts");
    assertTrue(cuts > 0);
    assertEquals(DisconnectCause.COMPLETED,
        Events.await(events, PipeEvent.Closed.class, TIMEOUT).cause());
    awaitHostedPipes(server, 0);
    proxy.unbind();
    server.unbind();
  }

  @Test
  void shouldFailWithAClearTlsErrorWhenTheClientDoesNotTrustTheServerAndKeepRetrying()
      throws Exception {
    PipeServer server = echoServer(certs.server());
    BackedPipe client = client(server.address(),
        TlsSettings.disabled().withTrustStore(certs.strangerTrust(), TestCertificates.PASSWORD));
    TestProbe<PipeEvent> events = subscribed(client);
    TlsFailedException failure = tlsFailure(client);
    assertTrue(failure.getMessage().startsWith("TLS handshake failed: PKIX path building failed"),
        failure.getMessage());
    // retried, not refused: the next attempt reports the same cause and the pipe stays open
    PipeEvent.ReconnectFailed again = Events.await(events, PipeEvent.ReconnectFailed.class, TIMEOUT);
    assertInstanceOf(TlsFailedException.class, again.error().getCause());
    assertNotEquals(PipeState.CLOSED, await(client.status()).state());
    awaitHostedPipes(server, 0);
    await(client.close());
    server.unbind();
  }

  @Test
  void shouldRefuseAClientWithoutACertificateWhenTheServerNeedsOne() throws Exception {
    PipeServer server = echoServer(certs.server().withClientAuth(TlsClientAuth.NEED));
    BackedPipe anonymous = client(server.address(), certs.client());
    TlsFailedException failure = tlsFailure(anonymous);
    assertTrue(failure.getMessage().contains("certificate_required")
        || failure.getMessage().contains("bad_certificate"), failure.getMessage());
    await(anonymous.close());

    BackedPipe known = client(server.address(),
        certs.client().withKeyStore(certs.clientKeys(), TestCertificates.PASSWORD));
    await(known.connect());
    List<ByteString> chunks = randomChunks(12, 16, 4096);
    assertEquals(concat(chunks), await(echo(known, chunks)));
    server.unbind();
  }
}
