package io.backedpipe.tunnel;

import io.backedpipe.server.RateLimitedLog;
import io.backedpipe.transport.TransportSettings;
import io.backedpipe.tunnel.mux.MuxCodec;
import io.backedpipe.tunnel.mux.MuxDecoder;
import io.backedpipe.tunnel.mux.MuxFrame;
import io.backedpipe.tunnel.mux.MuxProtocolException;
import io.backedpipe.tunnel.mux.OpenedStreams;
import io.backedpipe.wire.HumanText;
import io.backedpipe.wire.PeerText;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Map;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;
import org.slf4j.Logger;

/**
 * The streams of one tunnel connection, as its {@link TunnelSession} keeps them: which are open,
 * which ids were opened, how much of the tunnel's buffer their windows take, and what each frame
 * from the peer does to them. The session owns the pipe and decides when streams may come and
 * go; this table does the rest, and throws a {@link MuxProtocolException} for a peer that breaks
 * the protocol, which the session answers by closing the pipe.
 *
 * <p>Not thread-safe: owned by the session actor, and used only from its messages.
 */
final class TunnelStreamTable {
  private final String label;
  private final boolean dialing;
  private final TunnelSettings settings;
  /** Where a serving side's streams go; null on the dialing side. */
  private final InetSocketAddress target;
  private final TransportSettings transport;
  private final Sink<ByteString, NotUsed> hub;
  /** This side's own frames: the grants of credit, and the resets it decides. */
  private final BoundedSourceQueue<ByteString> control;
  private final ActorRef<TunnelSession.Command> session;
  private final Materializer materializer;
  private final Logger log;
  private final MuxDecoder decoder = new MuxDecoder();
  /** Frames read and not handled yet, while this side's own frames wait to go out. */
  private final ArrayDeque<MuxFrame> pending = new ArrayDeque<>();
  /** The most of this side's own frames that may wait before reading stops. */
  private final int controlRoom;
  /** Refused OPENs and resets by the client: one line per 10 s at most on a server. */
  private final RateLimitedLog peerEvents = new RateLimitedLog(Duration.ofSeconds(10));
  private final Map<Integer, TunnelChannel> channels = new HashMap<>();
  /** The stream ids opened so far: one of them that is not open any more has ended. */
  private final OpenedStreams opened;
  /** What the open streams' caps take beyond the 64 KiB each has: within max-tunnel-buffer. */
  private long capsAbove;
  /** New streams from the client are refused: the tunnel is shutting down. */
  private boolean refusing;

  TunnelStreamTable(String label, boolean dialing, TunnelSettings settings,
      InetSocketAddress target, TransportSettings transport, Sink<ByteString, NotUsed> hub,
      BoundedSourceQueue<ByteString> control, int controlCapacity,
      ActorRef<TunnelSession.Command> session, Materializer materializer, Logger log) {
    this.label = label;
    this.dialing = dialing;
    this.settings = settings;
    this.target = target;
    this.transport = transport;
    this.hub = hub;
    this.control = control;
    this.session = session;
    this.materializer = materializer;
    this.log = log;
    this.opened = new OpenedStreams(4 * settings.maxStreams());
    // half for what reading makes (a refused OPEN's RESET), half for the grants of credit
    this.controlRoom = controlCapacity / 2;
  }

  /** What became of a local connection offered to {@link #open}. */
  enum Opened {
    /** It is a stream now. */
    OPENED,
    /** As many streams are open as one tunnel connection carries: reset it. */
    FULL,
    /** This tunnel connection gave out every stream id: a new one must carry it. */
    EXHAUSTED
  }

  int size() {
    return channels.size();
  }

  /** From now on, streams the client opens are reset: the tunnel is shutting down. */
  void refuseNewStreams() {
    refusing = true;
  }

  /**
   * Carries a local application's connection as a new stream ({@code connect} side).
   *
   * @param local the connection
   * @return what became of it
   */
  Opened open(Tcp.IncomingConnection local) {
    if (channels.size() >= settings.maxStreams()) {
      log.warn("{}: a local connection from {} is reset: {} streams are open, the most one"
          + " tunnel connection carries (backed-pipe.tunnel.max-streams)", label,
          HumanText.address(local.remoteAddress()), channels.size());
      return Opened.FULL;
    }
    int stream = opened.next();
    if (stream == Integer.MAX_VALUE) {
      return Opened.EXHAUSTED; // 2^31 - 2 streams on one pipe
    }
    try {
      opened.open(stream);
    } catch (MuxProtocolException e) {
      throw new IllegalStateException(e); // the next id is never open yet
    }
    TunnelChannel channel = TunnelChannel.local(stream, local, nextCap(), hub, session,
        materializer);
    channels.put(stream, channel);
    log.debug("{}: {}: opened", label, channel.label);
    return Opened.OPENED;
  }

  /**
   * Reads the peer's next bytes and does what their frames say, as far as this side's own frames
   * have room to go out: a burst of OPENs that must each be refused waits here, and the pipe is
   * not read further, until the RESETs for the first ones have gone.
   *
   * @param bytes the next bytes of the pipe
   * @return whether every frame was handled; if not, call {@link #resume} later
   * @throws MuxProtocolException when the peer broke the protocol
   */
  boolean read(ByteString bytes) throws MuxProtocolException {
    pending.addAll(decoder.feed(bytes));
    return resume();
  }

  /**
   * Handles the frames still waiting, as far as there is room.
   *
   * @return whether none is left
   * @throws MuxProtocolException when the peer broke the protocol
   */
  boolean resume() throws MuxProtocolException {
    while (!pending.isEmpty()) {
      if (control.size() >= controlRoom) {
        return false;
      }
      onFrame(pending.poll());
    }
    return true;
  }

  private void onFrame(MuxFrame frame) throws MuxProtocolException {
    if (frame instanceof MuxFrame.Open open) {
      onOpen(open.stream());
      return;
    }
    TunnelChannel channel = channels.get(frame.stream());
    if (channel == null) {
      if (!opened.contains(frame.stream())) {
        throw new MuxProtocolException("a " + MuxCodec.name(frame) + " frame for stream "
            + frame.stream() + ", which was never opened");
      }
      return; // a stream that ended: the peer sent this before it heard
    }
    if (frame instanceof MuxFrame.Data data) {
      onData(channel, data.bytes());
    } else if (frame instanceof MuxFrame.Credit credit) {
      channel.out.grant(credit.bytes());
    } else if (frame instanceof MuxFrame.Eof) {
      if (channel.inEnded) {
        throw new MuxProtocolException("a second EOF for stream " + channel.id);
      }
      channel.endInbound();
      forgetIfFinished(channel);
    } else if (frame instanceof MuxFrame.Reset reset) {
      onReset(channel, reset);
    }
  }

  private void onOpen(int stream) throws MuxProtocolException {
    if (dialing) {
      throw new MuxProtocolException("the server opened stream " + stream
          + "; only the client opens streams");
    }
    opened.open(stream);
    if (channels.size() >= settings.maxStreams() || refusing) {
      String why = refusing ? "the tunnel is shutting down"
          : "too many streams: " + channels.size() + " are open, the most one tunnel connection"
              + " carries (backed-pipe.tunnel.max-streams on the server)";
      peerEvents.admit(System.nanoTime()).ifPresent(held -> log.info(
          "{}: stream {}: refused: {}{}", label, stream, why, heldBack(held)));
      send(new MuxFrame.Reset(stream, refusing ? TunnelCloseCode.TUNNEL_STOPPED.code()
          : TunnelCloseCode.STREAM_LIMIT.code(), why));
      return;
    }
    TunnelChannel channel = TunnelChannel.target(stream, target, transport, nextCap(), hub,
        session, materializer);
    channels.put(stream, channel);
    log.debug("{}: {}: opened", label, channel.label);
  }

  /**
   * The largest window of a new stream: the configured one, as far as the tunnel's buffer allows.
   * Every stream gets the first 64 KiB that the protocol gives it anyway; what a stream may take
   * beyond that comes out of {@code max-tunnel-buffer} until the stream ends, so a side never
   * holds more than that plus 64 KiB per stream, however many streams stall. Within it, the
   * window follows the stream's rate ({@link io.backedpipe.tunnel.mux.StreamWindow}).
   */
  private int nextCap() {
    long extra = Math.max(0, Math.min(settings.streamWindow() - MuxCodec.INITIAL_CREDIT,
        settings.maxTunnelBuffer() - capsAbove));
    capsAbove += extra;
    return (int) (MuxCodec.INITIAL_CREDIT + extra);
  }

  private void onData(TunnelChannel channel, ByteString bytes) throws MuxProtocolException {
    if (channel.inEnded) {
      throw new MuxProtocolException("DATA for stream " + channel.id + " after its EOF");
    }
    if (!channel.inWindow.received(bytes.size())) {
      throw new MuxProtocolException("stream " + channel.id + " sent " + bytes.size()
          + " bytes with " + channel.inWindow.credit() + " bytes of credit left");
    }
    channel.deliver(bytes); // false: its connection went away, and the stream is ending
  }

  private void onReset(TunnelChannel channel, MuxFrame.Reset reset) {
    String reason = PeerText.quote(reset.reason());
    if (dialing) {
      log.warn("{}: {}: reset by the server: {}; resetting the local connection", label,
          channel.label, reason);
    } else {
      peerEvents.admit(System.nanoTime()).ifPresent(held -> log.info(
          "{}: {}: reset by the client: {}; resetting the target connection{}", label,
          channel.label, reason, heldBack(held)));
    }
    forget(channel, "the other end reset the stream: " + reset.reason());
  }

  /**
   * A stream's TCP connection took bytes: grants the peer more, as the stream's window says.
   *
   * @throws MuxProtocolException when this side's own frames overflowed, which only a peer that
   *     ignores its credit can cause
   */
  void consumed(int stream, int bytes) throws MuxProtocolException {
    TunnelChannel channel = channels.get(stream);
    if (channel != null && !channel.inEnded) {
      int grant = channel.inWindow.consumed(bytes, System.nanoTime());
      if (grant > 0) {
        send(new MuxFrame.Credit(channel.id, grant));
      }
    }
  }

  /**
   * What a stream sends ended (its EOF or RESET went out).
   *
   * @throws MuxProtocolException when this side's own frames overflowed
   */
  void outboundEnded(int stream) throws MuxProtocolException {
    TunnelChannel channel = channels.get(stream);
    if (channel != null) {
      channel.outEnded = true;
      if (channel.deliveryGone && !channel.inEnded) {
        resetUndelivered(channel);
      } else {
        forgetIfFinished(channel);
      }
    }
  }

  /** A stream's TCP connection failed; its RESET is on its way. */
  void failed(int stream, TunnelChannel.Reason reason) {
    TunnelChannel channel = channels.get(stream);
    if (channel == null) {
      return;
    }
    logFailure(channel, reason.text());
    remove(channel);
    channel.failed(reason.text());
  }

  /**
   * A stream's TCP connection stopped taking the peer's bytes. After the peer's EOF (or once the
   * stream was ended here) that is its normal end; before it, the connection went away while the
   * peer still sends (reset after its own EOF went out), and the stream is reset both ways.
   *
   * @throws MuxProtocolException when this side's own frames overflowed
   */
  void deliveryEnded(int stream) throws MuxProtocolException {
    TunnelChannel channel = channels.get(stream);
    if (channel == null || channel.inEnded) {
      return;
    }
    channel.deliveryGone = true;
    if (channel.outEnded) {
      resetUndelivered(channel);
    } // else a failed connection fails what it sends too, and that says why (ChannelFailed)
  }

  private void resetUndelivered(TunnelChannel channel) throws MuxProtocolException {
    int stream = channel.id;
    String why = (dialing ? "local" : "target") + " connection closed while the other end"
        + " was still sending";
    logFailure(channel, why);
    send(new MuxFrame.Reset(stream, (dialing ? TunnelCloseCode.LOCAL_FAILED
        : TunnelCloseCode.TARGET_FAILED).code(), why));
    forget(channel, why);
  }

  private void logFailure(TunnelChannel channel, String why) {
    if (dialing) {
      log.warn("{}: {}: {}; resetting the stream", label, channel.label, why);
    } else {
      log.info("{}: {}: {}; resetting the stream", label, channel.label, why);
    }
  }

  private static String heldBack(long held) {
    return held == 0 ? "" : " (" + held + " more since the last line)";
  }

  /** Resets every stream: the pipe under them is gone or going. */
  void resetAll(String why) {
    new ArrayList<>(channels.values()).forEach(c -> forget(c, why));
  }

  private void forgetIfFinished(TunnelChannel channel) {
    if (channel.finished()) {
      remove(channel);
      log.debug("{}: {}: ended", label, channel.label);
    }
  }

  private void forget(TunnelChannel channel, String why) {
    remove(channel);
    channel.abort(why);
  }

  private void remove(TunnelChannel channel) {
    channels.remove(channel.id);
    capsAbove -= channel.inWindow.cap() - MuxCodec.INITIAL_CREDIT;
  }

  private void send(MuxFrame frame) throws MuxProtocolException {
    if (control.offer(MuxCodec.encode(frame)) == QueueOfferResult.dropped()) {
      // reading stops at half the queue, and a stream has only a few grants on their way at once
      throw new MuxProtocolException("this side's own frames overflowed their queue ("
          + control.size() + " waiting)");
    }
  }
}
