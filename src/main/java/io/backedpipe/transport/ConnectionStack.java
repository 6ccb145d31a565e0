package io.backedpipe.transport;

import io.backedpipe.Connection;
import io.backedpipe.ResumePoint;
import io.backedpipe.pipe.LinkPort;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import io.backedpipe.wire.FrameType;
import io.backedpipe.wire.WireProtocol;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.NotUsed;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.util.ByteString;

/**
 * The protocol stack of one TCP connection, from the pipe down to the bytes: handshake (with the
 * heartbeat once it is over), frame codec, TLS (or nothing), byte liveness. Also runs a connection
 * ahead of its pipe: the handshake has to finish (to learn the peer's read position) before the
 * pipe can be given the connection, so the stack is started with its pipe-side end, a
 * {@link LinkPort}, that the pipe attaches to later: one stream per connection.
 */
final class ConnectionStack {
  /*
   * The stacks' own stages are shared blueprints (SharedBlueprints): a connection's stage logics
   * keep their stages, and each stage its builder, module, shape and ports, for the connection's
   * life, so a stage made per connection costs every idle pipe end a few hundred bytes.
   */
  private static final BidiFlow<Frame, ByteString, ByteString, Frame, NotUsed> FRAMES =
      WireProtocol.frames(FrameCodec.MAX_DATA_BYTES);
  private static final BidiFlow<Frame, ByteString, ByteString, Frame, NotUsed> HELLO_FIRST_FRAMES =
      WireProtocol.frames(FrameCodec.MAX_DATA_BYTES, FrameType.HELLO);
  /** One more than a failure shows, so that it can say there were more. */
  private static final int FIRST_BYTES_KEPT = TcpReconnector.FIRST_BYTES_SHOWN + 1;
  private static final SharedBlueprints<BidiFlow<ByteString, ByteString, ByteString, ByteString,
      CompletionStage<Optional<ByteString>>>> LIVENESS =
      new SharedBlueprints<>(timeout -> BidiFlow.fromGraph(new LinkLiveness(timeout)));
  private static final SharedBlueprints<BidiFlow<ByteString, ByteString, ByteString, ByteString,
      CompletionStage<Optional<ByteString>>>> LIVENESS_KEEPING_FIRST_BYTES =
      new SharedBlueprints<>(timeout -> BidiFlow.fromGraph(
          new LinkLiveness(timeout, FIRST_BYTES_KEPT)));
  private static final SharedBlueprints<Flow<Frame, Frame, LinkPort>> PORTS =
      new SharedBlueprints<>(LinkPort::stage);

  private ConnectionStack() {}

  /**
   * The dialing side's stack: {@code handshake} (which also keeps the connection's heartbeat once
   * it is over: {@link HandshakeLogic}) atop the frame codec atop {@code tls} ({@link TlsLayer};
   * none for plain TCP) atop the byte liveness check ({@link LinkLiveness}: a connection on which
   * no byte at all arrived for the heartbeat timeout fails in both directions). Its value is the
   * handshake's, and the server's first bytes (at most {@value #FIRST_BYTES_KEPT}; none over
   * TLS), to say what answered when it is not a backed-pipe server. The handshake's timer starts with the stack, so
   * it bounds the TLS handshake too.
   */
  static <M> BidiFlow<Frame, ByteString, ByteString, Frame,
      Pair<M, CompletionStage<Optional<ByteString>>>> clientStack(
      TransportSettings settings,
      org.apache.pekko.stream.Graph<org.apache.pekko.stream.BidiShape<Frame, Frame, Frame, Frame>, M>
          handshake,
      Optional<BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed>> tls) {
    // over TLS the first bytes are encrypted and say nothing: none are kept
    return framed(handshake, FRAMES, tls).atop((tls.isPresent() ? LIVENESS
        : LIVENESS_KEEPING_FIRST_BYTES).get(settings.heartbeatTimeout()), Keep.both());
  }

  /**
   * The accepting side's stack: as {@link #clientStack}, without the first bytes, and the first
   * frame from the client must be a {@code HELLO} no longer than a HELLO can be, checked from its
   * header, so an unauthenticated client can make the server buffer no more than one HELLO.
   */
  static <M> BidiFlow<Frame, ByteString, ByteString, Frame, M> serverStack(
      TransportSettings settings,
      org.apache.pekko.stream.Graph<org.apache.pekko.stream.BidiShape<Frame, Frame, Frame, Frame>, M>
          handshake,
      Optional<BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed>> tls) {
    return framed(handshake, HELLO_FIRST_FRAMES, tls).atop(
        LIVENESS.get(settings.heartbeatTimeout()), Keep.left());
  }

  /** The handshake atop the frame codec atop TLS, if any. */
  private static <M> BidiFlow<Frame, ByteString, ByteString, Frame, M> framed(
      org.apache.pekko.stream.Graph<org.apache.pekko.stream.BidiShape<Frame, Frame, Frame, Frame>, M>
          handshake,
      BidiFlow<Frame, ByteString, ByteString, Frame, NotUsed> frames,
      Optional<BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed>> tls) {
    BidiFlow<Frame, ByteString, ByteString, Frame, M> framed = BidiFlow.fromGraph(handshake)
        .atop(frames, Keep.left());
    // plain TCP has no layer here: not even identity stages, which a connection would carry
    // (and pay for) as long as it lives
    return tls.isPresent() ? framed.atop(tls.get(), Keep.left()) : framed;
  }

  /**
   * How long a started connection waits for its pipe after the handshake's own time is up: the
   * handshake is over by then, and a connection nobody attached (its pipe stopped) must end.
   */
  static final Duration ATTACH_GRACE = Duration.ofSeconds(5);

  /** A running connection whose pipe-side end, its {@link LinkPort}, waits for the pipe. */
  record Started<M>(M value, LinkPort port) {

    Connection connection(ResumePoint peer) {
      return new Connection(peer, port);
    }
  }

  /**
   * Runs {@code connection} now, joined to a {@link LinkPort} that the pipe attaches to later:
   * the connection, its stack and the pipe's end are one stream.
   */
  static <M> Started<M> start(Flow<Frame, Frame, M> connection, TransportSettings settings,
      Materializer materializer) {
    Pair<LinkPort, M> run = PORTS.get(settings.handshakeTimeout().plus(ATTACH_GRACE))
        .joinMat(connection, Keep.both())
        .run(materializer);
    return new Started<>(run.second(), run.first());
  }
}
