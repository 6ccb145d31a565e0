package io.backedpipe.bench;

import io.backedpipe.Connection;
import io.backedpipe.Reconnector;
import io.backedpipe.pipe.LinkPort;
import io.backedpipe.ResumePoint;
import io.backedpipe.chaos.ChaosLink;
import io.backedpipe.chaos.Sizer;
import io.backedpipe.wire.Frame;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * Wraps a pipe's reconnector so a benchmark can break the newest connection from outside, at once
 * and from its own thread: {@link #abort()} resets it (the pipe sees {@code LINK_FAILED} and
 * reconnects), {@link #stall()} holds its frames back while the connection stays up (heartbeats
 * run below, so nothing times out). Each connection gets a {@link ChaosLink} of the chaos kit;
 * with no fault set, its stages pass every frame straight on.
 *
 * <p>Thread-safe: the newest link is kept in an {@code AtomicReference}, because the fault
 * injector calls from its own thread.
 */
final class AbortableReconnector implements Reconnector {
  private final Reconnector inner;
  /** Whether connections stay as the transport made them (no stall; aborted through the port). */
  private final boolean unwrapped;
  private final AtomicReference<ChaosLink<Frame>> newest = new AtomicReference<>();
  private final AtomicReference<LinkPort> newestPort = new AtomicReference<>();

  /**
   * Wraps {@code inner}: every connection goes through a chaos link, so it can be aborted and
   * stalled (at the cost of a second stream per connection).
   *
   * @param inner the reconnector that dials
   */
  AbortableReconnector(Reconnector inner) {
    this(inner, false);
  }

  private AbortableReconnector(Reconnector inner, boolean unwrapped) {
    this.inner = inner;
    this.unwrapped = unwrapped;
  }

  /**
   * Wraps {@code inner} without touching its connections: they run as the transport made them
   * (one stream each), and {@link #abort()} fails them through their port ({@link LinkPort#fail}). No {@link #stall()}.
   * For what a benchmark times on the path users get.
   *
   * @param inner the reconnector that dials; its connections must have a port
   * @return the wrapper
   */
  static AbortableReconnector unwrapped(Reconnector inner) {
    return new AbortableReconnector(inner, true);
  }

  @Override
  public CompletionStage<Connection> reconnect(ResumePoint local) {
    return inner.reconnect(local).thenApply(connection -> {
      if (unwrapped) {
        newestPort.set(connection.port().orElseThrow(() -> new IllegalStateException(
            "an unwrapped abortable reconnector needs connections with a port")));
        return connection;
      }
      ChaosLink<Frame> link = ChaosLink.create(Sizer.FRAMES, "bench-abort");
      newest.set(link);
      return connection.withFrames(link.bidi().join(connection.frames()));
    });
  }

  /**
   * Aborts the newest connection, once.
   *
   * @return whether there was a connection left to abort
   */
  boolean abort() {
    if (unwrapped) {
      LinkPort port = newestPort.getAndSet(null);
      if (port == null) {
        return false;
      }
      port.fail(new java.io.IOException("benchmark: connection aborted"));
      return true;
    }
    ChaosLink<Frame> link = newest.getAndSet(null);
    if (link == null) {
      return false;
    }
    link.reset();
    return true;
  }

  /**
   * Holds back every frame of the newest connection from now on.
   *
   * @throws IllegalStateException if not connected
   */
  void stall() {
    ChaosLink<Frame> link = newest.get();
    if (unwrapped || link == null) {
      throw new IllegalStateException("stall needs a connected, wrapping reconnector");
    }
    link.blackhole();
  }
}
