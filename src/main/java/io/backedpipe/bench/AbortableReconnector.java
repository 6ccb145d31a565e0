package io.backedpipe.bench;

import io.backedpipe.Connection;
import io.backedpipe.Reconnector;
import io.backedpipe.ResumePoint;
import io.backedpipe.wire.Frame;
import java.io.IOException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * Wraps a pipe's reconnector so a benchmark can break the newest connection from outside: {@link
 * #abort()} fails both of its directions at once (the TCP connection is aborted, the pipe sees
 * {@code LINK_FAILED} and reconnects), and, when made {@code gated}, {@link #stall()} stops its
 * outgoing frames while the connection stays up (heartbeats run below, so nothing times out).
 *
 * <p>Without the gate the wrapper adds two kill-switch stages and nothing per frame, so a pipe
 * behind it moves bytes as fast as one without. Thread-safe: the newest link is kept in an {@code
 * AtomicReference}, because the fault injector calls from its own thread.
 */
final class AbortableReconnector implements Reconnector {
  /** One connection's controls. */
  private record Link(SharedKillSwitch killSwitch,
      AtomicReference<CompletableFuture<Done>> gate) {}

  private static final CompletableFuture<Done> OPEN = CompletableFuture.completedFuture(
      Done.getInstance());

  private final Reconnector inner;
  private final boolean gated;
  private final AtomicReference<Link> newest = new AtomicReference<>();

  /**
   * Wraps {@code inner}.
   *
   * @param inner the reconnector that dials
   * @param gated whether connections get a gate for {@link #stall()} (one future per frame; off
   *     for throughput runs)
   */
  AbortableReconnector(Reconnector inner, boolean gated) {
    this.inner = inner;
    this.gated = gated;
  }

  @Override
  public CompletionStage<Connection> reconnect(ResumePoint local) {
    return inner.reconnect(local).thenApply(connection -> {
      Link link = new Link(KillSwitches.shared("bench-abort"), new AtomicReference<>(OPEN));
      Flow<Frame, Frame, ?> outgoing = Flow.<Frame>create().via(link.killSwitch().flow());
      if (gated) {
        outgoing = outgoing.mapAsync(1, frame -> link.gate().get().thenApply(open -> frame));
      }
      Flow<Frame, Frame, ?> frames = outgoing.via(connection.frames())
          .via(link.killSwitch().flow());
      newest.set(link);
      return new Connection(connection.peerReadPosition(), connection.peerHistoryCheck(),
          frames);
    });
  }

  /**
   * Aborts the newest connection, once.
   *
   * @return whether there was a connection left to abort
   */
  boolean abort() {
    Link link = newest.getAndSet(null);
    if (link == null) {
      return false;
    }
    link.killSwitch().abort(new IOException("aborted by the benchmark"));
    return true;
  }

  /**
   * Holds back every outgoing frame of the newest connection from now on (gated wrappers only).
   *
   * @throws IllegalStateException if not gated or not connected
   */
  void stall() {
    Link link = newest.get();
    if (!gated || link == null) {
      throw new IllegalStateException("stall needs a gated, connected reconnector");
    }
    link.gate().set(new CompletableFuture<>());
  }
}
