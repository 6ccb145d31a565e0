package io.backedpipe.bench;

import io.backedpipe.Connection;
import io.backedpipe.Reconnector;
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
  private final AtomicReference<ChaosLink<Frame>> newest = new AtomicReference<>();

  /**
   * Wraps {@code inner}.
   *
   * @param inner the reconnector that dials
   */
  AbortableReconnector(Reconnector inner) {
    this.inner = inner;
  }

  @Override
  public CompletionStage<Connection> reconnect(ResumePoint local) {
    return inner.reconnect(local).thenApply(connection -> {
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
    if (link == null) {
      throw new IllegalStateException("stall needs a connected reconnector");
    }
    link.blackhole();
  }
}
