package io.backedpipe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;

import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import java.io.DataInputStream;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketException;
import java.net.SocketTimeoutException;
import java.time.Duration;
import java.util.UUID;
import org.apache.pekko.util.ByteString;

/**
 * A client on a plain socket that speaks the handshake by hand (or not at all), from a chosen
 * loopback address (Linux routes all of 127/8 to the loopback interface). Every read is bounded.
 */
final class RawClient implements AutoCloseable {
  static final FrameCodec CODEC = new FrameCodec(FrameCodec.MAX_DATA_BYTES);

  private final Socket socket;
  private final DataInputStream in;

  private RawClient(Socket socket) throws IOException {
    this.socket = socket;
    this.in = new DataInputStream(socket.getInputStream());
  }

  /** Connects from {@code localHost} (any port) to {@code server}. */
  static RawClient connect(String localHost, InetSocketAddress server, Duration timeout)
      throws IOException {
    Socket socket = new Socket();
    socket.bind(new InetSocketAddress(localHost, 0));
    socket.connect(server, (int) timeout.toMillis());
    socket.setSoTimeout((int) timeout.toMillis());
    return new RawClient(socket);
  }

  /** Reads one whole frame; fails if none comes within the socket's timeout. */
  Frame readFrame() throws IOException {
    byte[] header = new byte[FrameCodec.HEADER_BYTES];
    in.readFully(header);
    int length = ByteString.fromArray(header).drop(1).iterator()
        .getInt(java.nio.ByteOrder.BIG_ENDIAN);
    byte[] payload = new byte[length];
    in.readFully(payload);
    return CODEC.decode(ByteString.fromArray(header).concat(ByteString.fromArray(payload)));
  }

  Frame.Challenge readChallenge() throws IOException {
    return assertInstanceOf(Frame.Challenge.class, readFrame());
  }

  void write(ByteString bytes) throws IOException {
    socket.getOutputStream().write(bytes.toArray());
    socket.getOutputStream().flush();
  }

  /** Reads the CHALLENGE, sends a HELLO (no proof) for {@code streamId}, returns the WELCOME. */
  Frame.Welcome handshake(UUID streamId) throws IOException {
    readChallenge();
    write(CODEC.encode(new Frame.Hello(FrameCodec.PROTOCOL_VERSION, streamId, true, 0, 0,
        ByteString.fromArray(new byte[Frame.Hello.NONCE_BYTES]), ByteString.emptyByteString())));
    return assertInstanceOf(Frame.Welcome.class, readFrame());
  }

  /** Asserts the server closed the connection without sending a single byte. */
  void assertClosedWithoutAByte() throws IOException {
    try {
      assertEquals(-1, in.read(), "the server sent a byte (a CHALLENGE?) before closing");
    } catch (SocketTimeoutException e) {
      throw new AssertionError("still open after " + socket.getSoTimeout() + " ms", e);
    } catch (SocketException reset) {
      // a reset closes it too
    }
  }

  /** Asserts the connection is still open now: nothing to read, no end. */
  void assertStillOpen() throws IOException {
    int timeout = socket.getSoTimeout();
    socket.setSoTimeout(1);
    try {
      int next = in.read();
      throw new AssertionError("expected an open, silent connection; read " + next);
    } catch (SocketTimeoutException stillOpen) {
      // what is expected
    } finally {
      socket.setSoTimeout(timeout);
    }
  }

  /**
   * Asserts the connection ends (end of stream or reset) within the socket's timeout, after at
   * most a CHALLENGE's worth of bytes (a connection refused on its first header may have had its
   * CHALLENGE written first).
   */
  void assertClosed() throws IOException {
    try {
      int read = 0;
      while (in.read() != -1) {
        if (++read > 64) {
          throw new AssertionError("the server sent more than a CHALLENGE");
        }
      }
    } catch (SocketTimeoutException e) {
      throw new AssertionError("still open after " + socket.getSoTimeout() + " ms", e);
    } catch (SocketException reset) {
      // a reset closes it too
    }
  }

  @Override
  public void close() throws IOException {
    socket.close();
  }
}
