package io.backedpipe.tunnel;

import io.backedpipe.Completions;
import io.backedpipe.transport.FailureText;
import io.backedpipe.transport.TransportSettings;
import io.backedpipe.tunnel.mux.MuxCodec;
import io.backedpipe.tunnel.mux.MuxFrame;
import io.backedpipe.tunnel.mux.StreamSender;
import io.backedpipe.tunnel.mux.StreamWindow;
import io.backedpipe.tunnel.mux.TakenReport;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.japi.function.Function;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * One stream of a tunnel: one TCP connection (the local application's on the {@code connect}
 * side, the target's on the {@code serve} side) joined to its share of the tunnel's pipe. Its
 * bytes from the peer wait in {@link #inbound} until the TCP connection takes them; its bytes to
 * the peer leave as DATA frames through its {@link StreamSender}, so neither side ever holds more
 * of a stream than the window it granted. The {@link TunnelSession} that owns it keeps the counts;
 * this class only holds them and builds the stream graphs.
 *
 * <p>Not thread-safe: its fields belong to the session actor. The graphs report to the session
 * by message: what their TCP connection took ({@code Consumed}), that their outgoing side ended
 * ({@code OutboundEnded}), and that their TCP connection failed ({@code ChannelFailed}, after the
 * RESET that says so went out).
 */
final class TunnelChannel {
  final int id;
  final String label;
  /**
   * What the peer may send, and what to grant it as the TCP connection takes bytes; its cap is
   * the stream's share of the tunnel's buffer.
   */
  final StreamWindow inWindow;
  /** The peer's bytes for the TCP connection. */
  final BoundedSourceQueue<ByteString> inbound;
  /**
   * Lets this stream send more when the peer grants it, and ends what it sends without a frame
   * more.
   */
  final StreamSender.Control out;
  /** The peer said EOF (or the stream was reset). */
  boolean inEnded;
  /** This side's EOF (or RESET) went out, or its sending was stopped. */
  boolean outEnded;
  /** The TCP connection stopped taking the peer's bytes. */
  boolean deliveryGone;

  private TunnelChannel(int id, String label, int cap, BoundedSourceQueue<ByteString> inbound,
      StreamSender.Control out) {
    this.id = id;
    this.label = label;
    this.inWindow = new StreamWindow(cap, System.nanoTime());
    this.inbound = inbound;
    this.out = out;
  }

  /**
   * Joins a local application's connection to a new stream ({@code connect} side). Its first
   * frame is the OPEN; its bytes may follow at once, within the initial credit.
   */
  static TunnelChannel local(int id, Tcp.IncomingConnection local, int cap,
      Sink<ByteString, NotUsed> hub, ActorRef<TunnelSession.Command> session, Materializer mat) {
    String label = "stream " + id + " from " + io.backedpipe.wire.HumanText.address(
        local.remoteAddress());
    Sink<ByteString, StreamSender.Control> out = Flow.fromGraph(sender(id, true, session,
            error -> new Reason(TunnelCloseCode.LOCAL_FAILED,
                "local connection failed: " + FailureText.essence(error))))
        .to(hub);
    Pair<StreamSender.Control, BoundedSourceQueue<ByteString>> ends = local.handleWith(
        Flow.fromSinkAndSourceMat(out, inbound(id, cap, session), Keep.both()), mat);
    return new TunnelChannel(id, label, cap, ends.second(), ends.first());
  }

  /**
   * Dials the target for a stream the client opened ({@code serve} side). Bytes the client sends
   * before the target answers wait in the stream's window; a target that cannot be reached, or
   * that fails later, resets the stream with the reason.
   */
  static TunnelChannel target(int id, InetSocketAddress target, TransportSettings transport,
      int cap, Sink<ByteString, NotUsed> hub, ActorRef<TunnelSession.Command> session,
      Materializer mat) {
    String label = "stream " + id + " to " + io.backedpipe.wire.HumanText.address(target);
    CompletableFuture<Tcp.OutgoingConnection> dialed = new CompletableFuture<>();
    Flow<ByteString, ByteString, NotUsed> tcp = Tcp.get(mat.system()).outgoingConnection(target,
            Optional.empty(),
            transport.socketOptions(), true, Optional.of(transport.connectTimeout()),
            Optional.empty())
        .mapMaterializedValue(connected -> {
          // direct: Pekko's stage would run this on a thread of its own on a 2-core machine
          Completions.direct(connected).whenComplete((c, e) -> {
            if (e == null) {
              dialed.complete(c);
            } else {
              dialed.completeExceptionally(e);
            }
          });
          return NotUsed.getInstance();
        });
    Pair<BoundedSourceQueue<ByteString>, StreamSender.Control> ends = inbound(id, cap, session)
        .via(tcp)
        .viaMat(sender(id, false, session, error -> dialed.isDone()
            && !dialed.isCompletedExceptionally()
            ? new Reason(TunnelCloseCode.TARGET_FAILED,
                "target connection failed: " + FailureText.essence(error))
            : new Reason(TunnelCloseCode.TARGET_UNREACHABLE,
                "target unreachable: " + FailureText.essence(error))), Keep.both())
        .to(hub)
        .run(mat);
    return new TunnelChannel(id, label, cap, ends.first(), ends.second());
  }

  /**
   * The peer's bytes for the TCP connection. The queue holds at most the window, in bytes,
   * because the peer may send no more than its credit; one element per byte is the most it could
   * take. What the TCP connection takes is told to the session half the initial credit at a
   * time: often enough to measure the stream's rate, and never so late that the peer's credit
   * could run out while this side owes it a grant.
   */
  private static Source<ByteString, BoundedSourceQueue<ByteString>> inbound(int id, int cap,
      ActorRef<TunnelSession.Command> session) {
    int batch = MuxCodec.INITIAL_CREDIT / 2;
    return Source.<ByteString>queue(cap).via(new TakenReport(batch,
        taken -> session.tell(new TunnelSession.Consumed(id, taken)),
        // the TCP connection may stop taking bytes before the peer's EOF (it was reset after its
        // own EOF went out): the session must hear of it, or the stream would wait for ever
        () -> session.tell(new TunnelSession.DeliveryEnded(id))));
  }

  /** Why a stream is reset. */
  record Reason(TunnelCloseCode code, String text) {}

  /**
   * The stream's sending side. A failed TCP connection becomes a RESET with its reason, as the
   * stream's last frame, and the session hears of it too: nothing fails into the tunnel's merge,
   * which would end every stream. The session also hears when the sending side is over.
   */
  private static StreamSender sender(int id, boolean opens,
      ActorRef<TunnelSession.Command> session,
      java.util.function.Function<Throwable, Reason> reason) {
    return new StreamSender(id, opens, MuxCodec.INITIAL_CREDIT, MuxCodec.MAX_CHUNK, error -> {
      Reason why = reason.apply(error);
      session.tell(new TunnelSession.ChannelFailed(id, why));
      return MuxCodec.encode(new MuxFrame.Reset(id, why.code().code(), why.text()));
    }, () -> session.tell(new TunnelSession.OutboundEnded(id)));
  }

  /**
   * Resets a local connection that no stream will carry (the tunnel is full or shutting down).
   *
   * @param local the connection
   * @param why for the exception that resets it
   * @param mat runs its few stages
   */
  static void refuse(Tcp.IncomingConnection local, String why, Materializer mat) {
    local.handleWith(Flow.fromSinkAndSource(Sink.cancelled(),
        Source.failed(new IOException("backed-pipe: " + why))), mat);
  }

  /**
   * Hands the peer's bytes to the TCP connection's queue.
   *
   * @return false when the queue is already closed (the connection went away: the stream is
   *     ending and the bytes have nowhere to go)
   */
  boolean deliver(ByteString bytes) {
    QueueOfferResult result = inbound.offer(bytes);
    return result == QueueOfferResult.enqueued();
  }

  /** The peer's EOF: the TCP connection's write side is closed once it took what came before. */
  void endInbound() {
    inEnded = true;
    try {
      inbound.complete();
    } catch (IllegalStateException alreadyEnded) {
      // its TCP connection went away first: nothing is left to end
    }
  }

  /**
   * Ends the stream and sends nothing more of it: the TCP connection is reset if the peer's bytes
   * were still coming (after the peer's EOF it is only closed).
   */
  void abort(String why) {
    outEnded = true;
    out.stop();
    failInbound(why);
  }

  /**
   * Ends the stream after its own TCP connection failed: the peer's bytes have nowhere to go, and
   * what this side sends ends by itself with the RESET already on its way (stopping it here could
   * drop that RESET while the pipe is busy).
   */
  void failed(String why) {
    outEnded = true;
    failInbound(why);
  }

  private void failInbound(String why) {
    if (!inEnded) {
      inEnded = true;
      try {
        inbound.fail(new IOException("backed-pipe: " + why));
      } catch (IllegalStateException alreadyEnded) {
        // its TCP connection went away first: nothing is left to reset
      }
    }
  }

  /** Whether both directions ended, so the session may forget the stream. */
  boolean finished() {
    return inEnded && outEnded;
  }
}
