package io.backedpipe.hostile;

import io.backedpipe.hostile.HostileCase.Ending;
import io.backedpipe.hostile.HostileCase.Opening;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import io.backedpipe.wire.HandshakeStatus;
import io.backedpipe.wire.MalformedFrameException;
import java.io.DataInputStream;
import java.io.EOFException;
import java.io.IOException;
import java.io.OutputStream;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.SocketTimeoutException;
import java.nio.ByteBuffer;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.ScheduledExecutorService;
import java.util.concurrent.ScheduledFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.function.BiFunction;
import org.apache.pekko.util.ByteString;

/**
 * Plays one {@link HostileCase} against a server over a plain blocking {@link Socket} and
 * classifies how the server ended it ({@link HostileOutcome}). Everything the server sends is
 * decoded; the connection must end (EOF or reset) within the time limit, which a watchdog enforces
 * by closing the socket, so that neither a read nor a blocked write can hang the client.
 *
 * <p>Thread-safe: every call uses its own sockets; the watchdog executor is shared.
 */
final class HostileClient {
  private final InetSocketAddress server;
  private final FrameCodec codec;
  private final Duration timeout;
  private final ScheduledExecutorService watchdog;
  private final BiFunction<Frame.Hello, ByteString, ByteString> prover;

  /**
   * @param server where to connect
   * @param codec decodes the server's frames (the server's DATA limit)
   * @param timeout how long one connection may stay open in all
   * @param watchdog closes the sockets of connections that outlive the timeout
   * @param prover the proof of a valid handshake's HELLO for a CHALLENGE's nonce
   */
  HostileClient(InetSocketAddress server, FrameCodec codec, Duration timeout,
      ScheduledExecutorService watchdog, BiFunction<Frame.Hello, ByteString, ByteString> prover) {
    this.server = server;
    this.codec = codec;
    this.timeout = timeout;
    this.watchdog = watchdog;
    this.prover = prover;
  }

  HostileResult play(HostileCase hostile) {
    ByteString replayed = null;
    if (hostile.opening() == Opening.REPLAYED_HANDSHAKE) {
      try (Conversation first = new Conversation()) {
        if (!first.open()) {
          return first.unreachable(hostile);
        }
        try {
          replayed = first.handshake(hostile.handshake().orElseThrow()).hello();
        } catch (IOException e) {
          return first.ended(hostile, "first connection: " + e.getMessage());
        } catch (ProtocolBreach e) {
          return first.failed(hostile, "first connection: " + e.getMessage());
        }
      }
    }
    try (Conversation conversation = new Conversation()) {
      return conversation.open() ? conversation.play(hostile, replayed)
          : conversation.unreachable(hostile);
    }
  }

  /** What a valid handshake brought: the HELLO's bytes as sent, and the answer. */
  private record Handshake(ByteString hello, Frame.Welcome welcome) {}

  /** One TCP connection with its deadline. Not thread-safe; owned by one {@link #play} call. */
  private final class Conversation implements AutoCloseable {
    private final Socket socket = new Socket();
    private final AtomicBoolean expired = new AtomicBoolean();
    private final ScheduledFuture<?> deadline;
    private final long deadlineNs = System.nanoTime() + timeout.toNanos();
    private DataInputStream in;
    private OutputStream out;
    private boolean welcomed;
    private HandshakeStatus refusal;
    private Frame.Error error;
    private IOException openError;

    Conversation() {
      deadline = watchdog.schedule(this::expire, timeout.toNanos(), TimeUnit.NANOSECONDS);
    }

    /** Connects; {@code false} (and {@link #unreachable}) if the server cannot be reached. */
    boolean open() {
      try {
        socket.connect(server, (int) Math.max(1, timeout.toMillis()));
        socket.setTcpNoDelay(true);
        in = new DataInputStream(socket.getInputStream());
        out = socket.getOutputStream();
        return true;
      } catch (IOException e) {
        openError = e;
        return false;
      }
    }

    HostileResult unreachable(HostileCase hostile) {
      return new HostileResult(hostile, HostileOutcome.FAILED, false, Optional.empty(),
          "could not connect: " + openError);
    }

    private void expire() {
      expired.set(true);
      closeQuietly();
    }

    HostileResult play(HostileCase hostile, ByteString replayed) {
      try {
        switch (hostile.opening()) {
          case IMMEDIATE -> { }
          case AFTER_CHALLENGE -> challenge();
          case AFTER_HANDSHAKE -> {
            Handshake done = handshake(hostile.handshake().orElseThrow());
            if (!welcomed) {
              return drain(hostile, "own handshake refused: " + done.welcome().status());
            }
            if (hostile.endOfStreamFirst()) {
              send(codec.encode(new Frame.EndOfStream(done.welcome().readPosition())));
            }
          }
          case REPLAYED_HANDSHAKE -> {
            challenge();
            send(replayed);
          }
        }
      } catch (IOException e) {
        return ended(hostile, "during the opening: " + e.getMessage());
      } catch (ProtocolBreach e) {
        return failed(hostile, e.getMessage());
      }
      try {
        send(hostile.bytes());
        if (hostile.ending() == Ending.HALF_CLOSE) {
          socket.shutdownOutput();
        }
      } catch (IOException e) {
        // The server closed first: usual for a connection it rejected. Read what it said.
      }
      return drain(hostile, "after the hostile bytes");
    }

    /** Completes a valid handshake; {@link #welcomed} tells whether it was answered OK. */
    Handshake handshake(Frame.Hello template) throws IOException, ProtocolBreach {
      Frame.Challenge challenge = challenge();
      Frame.Hello hello = new Frame.Hello(template.version(), template.streamId(),
          template.create(), template.readPosition(), template.historyCheck(), template.nonce(),
          prover.apply(template, challenge.nonce()));
      ByteString bytes = codec.encode(hello);
      send(bytes);
      Frame answer = read();
      if (answer == null) {
        throw new EOFException("closed before the WELCOME");
      }
      if (!(answer instanceof Frame.Welcome welcome)) {
        throw new ProtocolBreach("expected WELCOME, got " + answer);
      }
      welcomed = welcome.status() == HandshakeStatus.OK;
      refusal = welcomed ? null : welcome.status();
      return new Handshake(bytes, welcome);
    }

    private Frame.Challenge challenge() throws IOException, ProtocolBreach {
      Frame first = read();
      if (first == null) {
        throw new EOFException("closed before the CHALLENGE");
      }
      if (first instanceof Frame.Challenge challenge) {
        return challenge;
      }
      throw new ProtocolBreach("expected CHALLENGE, got " + first);
    }

    /** Reads until the server ends the connection, and judges what it sent. */
    private HostileResult drain(HostileCase hostile, String context) {
      try {
        while (true) {
          Frame frame = read();
          if (frame == null) {
            return ended(hostile, context + ": EOF");
          } else if (frame instanceof Frame.Welcome welcome) {
            if (welcome.status() == HandshakeStatus.OK && !hostile.mayBeWelcomed()) {
              return failed(hostile, "the server accepted a hostile HELLO: " + welcome);
            }
            if (welcome.status() == HandshakeStatus.OK) {
              welcomed = true; // a replayed HELLO, while the server checks no proof
            } else {
              refusal = welcome.status();
            }
          } else if (frame instanceof Frame.Error e) {
            error = e;
          }
        }
      } catch (SocketTimeoutException e) {
        return failed(hostile, context + ": still open after " + timeout);
      } catch (IOException e) {
        return ended(hostile, context + ": " + e.getMessage());
      } catch (ProtocolBreach e) {
        return failed(hostile, e.getMessage());
      }
    }

    HostileResult ended(HostileCase hostile, String detail) {
      if (expired.get()) {
        return failed(hostile, "still open after " + timeout + " (" + detail + ")");
      }
      HostileOutcome outcome = error != null ? HostileOutcome.ERROR_FRAME
          : refusal != null ? HostileOutcome.REFUSED : HostileOutcome.CLOSED;
      String said = error != null ? " " + error : refusal != null ? " " + refusal : "";
      return new HostileResult(hostile, outcome, welcomed, Optional.ofNullable(refusal),
          detail + said);
    }

    HostileResult failed(HostileCase hostile, String detail) {
      return new HostileResult(hostile, HostileOutcome.FAILED, welcomed,
          Optional.ofNullable(refusal), detail);
    }

    private void send(ByteString bytes) throws IOException {
      for (ByteBuffer buffer : bytes.getByteBuffers()) {
        byte[] chunk = new byte[buffer.remaining()];
        buffer.get(chunk);
        out.write(chunk);
      }
      out.flush();
    }

    /** The server's next frame, or {@code null} at a clean EOF between frames. */
    private Frame read() throws IOException, ProtocolBreach {
      long leftMs = TimeUnit.NANOSECONDS.toMillis(deadlineNs - System.nanoTime());
      if (leftMs <= 0) {
        throw new SocketTimeoutException("deadline passed");
      }
      socket.setSoTimeout((int) Math.min(Integer.MAX_VALUE, leftMs));
      int type = in.read();
      if (type < 0) {
        return null;
      }
      int length = in.readInt();
      if (length < 0 || length > FrameCodec.maxFrameBytes(codec.maxDataBytes())) {
        throw new ProtocolBreach("the server sent a frame header with length="
            + Integer.toUnsignedString(length));
      }
      byte[] frame = new byte[FrameCodec.HEADER_BYTES + length];
      frame[0] = (byte) type;
      ByteBuffer.wrap(frame, 1, 4).putInt(length);
      in.readFully(frame, FrameCodec.HEADER_BYTES, length);
      try {
        return codec.decode(ByteString.fromArrayUnsafe(frame));
      } catch (MalformedFrameException e) {
        throw new ProtocolBreach("the server sent a malformed frame: " + e.getMessage());
      }
    }

    private void closeQuietly() {
      try {
        socket.setSoLinger(true, 0); // a reset: no TIME_WAIT left behind per case
      } catch (IOException ignored) {
        // closing anyway
      }
      try {
        socket.close();
      } catch (IOException ignored) {
        // already closed
      }
    }

    @Override
    public void close() {
      deadline.cancel(false);
      closeQuietly();
    }
  }

  /** The server broke the protocol itself (or said something no case allows). */
  private static final class ProtocolBreach extends Exception {
    private static final long serialVersionUID = 1L;

    ProtocolBreach(String message) {
      super(message);
    }
  }
}
