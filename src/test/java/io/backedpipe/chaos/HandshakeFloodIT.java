package io.backedpipe.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.ReconnectPolicy;
import io.backedpipe.server.PipeRegistry;
import io.backedpipe.server.PipeServer;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TransportSettings;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import java.io.DataInputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executors;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * A flood of connections that never finish the handshake (1,000 silent ones and 20 that dribble a
 * HELLO one byte at a time) does not keep a real client out, and the handshake timeout closes
 * every one of them.
 */
class HandshakeFloodIT {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final int SILENT = 1000;
  private static final int DRIBBLING = 20;
  private static final Duration HANDSHAKE_TIMEOUT = Duration.ofSeconds(5);
  private static final Duration TIMEOUT = Duration.ofSeconds(20);
  private static final FrameCodec CODEC = new FrameCodec(256 * 1024);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  @Test
  void shouldLetARealClientInDuringAFloodAndCloseTheFloodByTheHandshakeTimeout()
      throws Exception {
    TransportSettings transport = TransportSettings.create(testKit.system())
        .withHandshakeTimeout(HANDSHAKE_TIMEOUT);
    PipeSettings pipeSettings = PipeSettings.create(testKit.system())
        .withWindowBytes(256 * 1024)
        .withReconnect(ReconnectPolicy.backoff(Duration.ofMillis(5), Duration.ofMillis(100)));
    PipeServer server = PipeServer.bind(testKit.system(), "127.0.0.1", 0,
            // the flood and the real client share 127.0.0.1: no caps, to test the timeout alone
            ServerSettings.create(testKit.system()).withMaxHandshakes(10_000, 10_000),
            pipeSettings, transport,
            (id, pipe) -> pipe.source().runWith(pipe.sink(), testKit.system()))
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
    List<Socket> flood = new ArrayList<>();
    ScheduledExecutorService dribbler = Executors.newSingleThreadScheduledExecutor();
    long start = System.nanoTime();
    try {
      for (int i = 0; i < SILENT; i++) {
        flood.add(connect(server));
      }
      ByteString hello = CODEC.encode(new Frame.Hello(io.backedpipe.wire.FrameCodec.PROTOCOL_VERSION,
          UUID.randomUUID(), true, 0, 0, ByteString.fromString("client nonce 16b"),
          ByteString.emptyByteString()));
      for (int i = 0; i < DRIBBLING; i++) {
        Socket socket = connect(server);
        flood.add(socket);
        dribble(dribbler, socket.getOutputStream(), hello.toArray(), 0);
      }

      long flooded = System.nanoTime();
      // The real client connects and echoes while the flood is open.
      BackedPipe client = BackedPipe.of(testKit.spawn(BackedPipe.create(new TcpReconnector(
          testKit.system(), server.address(), UUID.randomUUID(), true, transport),
          pipeSettings)), testKit.system());
      client.connect().toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
      ByteString sent = ByteString.fromString("through the flood " + UUID.randomUUID());
      CompletionStage<ByteString> back = client.source().take(1)
          .runWith(Sink.head(), testKit.system());
      Source.single(sent).concat(Source.never()).runWith(client.sink(), testKit.system());
      assertEquals(sent, back.toCompletableFuture().get(TIMEOUT.toSeconds(), TimeUnit.SECONDS));

      long echoed = System.nanoTime();
      // Regression: with a listen backlog of 100 the burst overflowed the kernel's queue, dropped
      // SYNs waited a second each for their retransmit, and opening the flood took 9 s: the first
      // connections had timed out before the real client got in. Now it got in while the first
      // flood connection still waited for its handshake.
      assertStillOpenAfterChallenge(flood.get(0));
      // Every flood connection got its CHALLENGE, and then the end.
      for (int i = 0; i < flood.size(); i++) {
        assertClosedAfterChallenge(flood.get(i), i);
      }
      System.out.printf("handshake flood: %d connections opened in %d ms; the real client echoed"
              + " %d ms later; all closed %d ms after the echo%n", flood.size(),
          (flooded - start) / 1_000_000, (echoed - flooded) / 1_000_000,
          (System.nanoTime() - echoed) / 1_000_000);
      TestProbe<Integer> count = testKit.createTestProbe();
      server.registry().tell(new PipeRegistry.CountPipes(count.ref()));
      assertEquals(1, count.receiveMessage()); // the flood created no pipe
    } finally {
      dribbler.shutdownNow();
      for (Socket socket : flood) {
        socket.close();
      }
      server.unbind();
    }
  }

  private static Socket connect(PipeServer server) throws IOException {
    Socket socket = new Socket();
    socket.connect(server.address(), (int) TIMEOUT.toMillis());
    return socket;
  }

  /** Sends one byte of {@code hello} every 200 ms (the whole HELLO would take 8 s). */
  private static void dribble(ScheduledExecutorService scheduler, OutputStream out, byte[] hello,
      int next) {
    if (next >= hello.length) {
      return;
    }
    scheduler.schedule(() -> {
      try {
        out.write(hello[next]);
        out.flush();
        dribble(scheduler, out, hello, next + 1);
      } catch (IOException closed) {
        // the server closed it: what the test expects
      }
    }, 200, TimeUnit.MILLISECONDS);
  }

  private static void assertStillOpenAfterChallenge(Socket socket) throws IOException {
    DataInputStream in = new DataInputStream(socket.getInputStream());
    byte[] challenge = new byte[FrameCodec.HEADER_BYTES + 8 + Frame.Challenge.NONCE_BYTES];
    socket.setSoTimeout(1);
    try {
      in.readFully(challenge);
      int next = in.read();
      throw new AssertionError("the first flood connection ended before the real client's echo: "
          + next);
    } catch (SocketTimeoutException stillOpen) {
      // what the test expects
    } catch (IOException e) {
      throw new AssertionError("the first flood connection ended before the real client's echo",
          e);
    }
  }

  private static void assertClosedAfterChallenge(Socket socket, int index) throws IOException {
    socket.setSoTimeout((int) TIMEOUT.toMillis());
    DataInputStream in = new DataInputStream(socket.getInputStream());
    if (index > 0) { // the first one's CHALLENGE was read already
      byte[] challenge = new byte[FrameCodec.HEADER_BYTES + 8 + Frame.Challenge.NONCE_BYTES];
      in.readFully(challenge);
      assertTrue(CODEC.decode(ByteString.fromArray(challenge)) instanceof Frame.Challenge);
    }
    try {
      assertEquals(-1, in.read(), "connection " + index + " sent more than its CHALLENGE");
    } catch (SocketTimeoutException e) {
      throw new AssertionError("connection " + index + " still open after " + TIMEOUT, e);
    } catch (IOException reset) {
      // a reset closes it too
    }
  }
}
