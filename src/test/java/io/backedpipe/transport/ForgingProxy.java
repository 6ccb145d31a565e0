package io.backedpipe.transport;

import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import io.backedpipe.wire.FrameType;
import io.backedpipe.wire.HandshakeStatus;
import java.net.InetSocketAddress;
import java.nio.ByteOrder;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Framing;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * A man in the middle on loopback who does not know the shared secret: it relays every byte both
 * ways, and while {@link #forge forging} replaces each WELCOME of the server with a forged one, in
 * turn {@code UNKNOWN_STREAM} with the real WELCOME's proof copied onto it, {@code COMPLETED} with
 * no proof, {@code NOT_AUTHORIZED} with a made-up proof, and an {@code OK} whose detail differs
 * from the real one (its proof copied too). The client's HELLO reaches the real server unchanged.
 */
final class ForgingProxy {
  private static final FrameCodec CODEC = new FrameCodec(FrameCodec.MAX_DATA_BYTES);

  private final List<SharedKillSwitch> links = new CopyOnWriteArrayList<>();
  private final AtomicBoolean forging = new AtomicBoolean();
  private final AtomicInteger forged = new AtomicInteger();
  private final Tcp.ServerBinding binding;

  private ForgingProxy(ActorSystem<?> system, InetSocketAddress target) throws Exception {
    this.binding = Tcp.get(system).bind("127.0.0.1", 0)
        .to(Sink.foreach(incoming -> {
          SharedKillSwitch link = KillSwitches.shared("forging-proxy");
          links.add(link);
          Flow<ByteString, ByteString, ?> server = Tcp.get(system).outgoingConnection(
              target.getHostString(), target.getPort());
          incoming.handleWith(Flow.<ByteString>create().via(link.flow()).via(server)
              .via(link.flow())
              .via(Framing.lengthField(4, 1, FrameCodec.maxFrameBytes(FrameCodec.MAX_DATA_BYTES),
                  ByteOrder.BIG_ENDIAN))
              .map(this::relay), system);
        }))
        .run(system)
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  static ForgingProxy start(ActorSystem<?> system, InetSocketAddress target) throws Exception {
    return new ForgingProxy(system, target);
  }

  InetSocketAddress address() {
    return binding.localAddress();
  }

  /** Starts or stops replacing the server's WELCOMEs. */
  void forge(boolean on) {
    forging.set(on);
  }

  /** How many WELCOMEs were replaced so far. */
  int forged() {
    return forged.get();
  }

  /** Resets every open connection. */
  void cutAll() {
    for (SharedKillSwitch link : links) {
      link.abort(new RuntimeException("cut by the test"));
    }
    links.clear();
  }

  void unbind() throws Exception {
    cutAll();
    binding.unbind().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  /** One frame of the server's, whole: a WELCOME is replaced while forging. */
  private ByteString relay(ByteString frame) {
    if (!forging.get() || (frame.apply(0) & 0xFF) != FrameType.WELCOME.code()) {
      return frame;
    }
    Frame.Welcome real = (Frame.Welcome) CODEC.decode(frame);
    Frame.Welcome fake = switch (forged.getAndIncrement() % 4) {
      case 0 -> refusal(real, HandshakeStatus.UNKNOWN_STREAM, real.proof());
      case 1 -> refusal(real, HandshakeStatus.COMPLETED, ByteString.emptyByteString());
      case 2 -> refusal(real, HandshakeStatus.NOT_AUTHORIZED,
          ByteString.fromArrayUnsafe(new byte[SharedSecret.PROOF_BYTES]));
      default -> new Frame.Welcome(HandshakeStatus.OK, 0, 0, real.gracePeriodMillis(),
          real.limits(), "forged", real.proof());
    };
    return CODEC.encode(fake);
  }

  private static Frame.Welcome refusal(Frame.Welcome real, HandshakeStatus status,
      ByteString proof) {
    return new Frame.Welcome(status, -1, 0, real.gracePeriodMillis(), real.limits(), "forged",
        proof);
  }
}
