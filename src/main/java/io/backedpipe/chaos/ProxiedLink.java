package io.backedpipe.chaos;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.util.ByteString;

/**
 * One connection through the proxy: a kill switch that resets or closes both legs, and a gate that
 * holds bytes back while it is shut. The gate is the one piece of state the proxy's streams and
 * its controller actor share; it is a reference to an immutable future, so swapping it needs no
 * lock.
 *
 * @param id the connection's number
 * @param killSwitch ends both legs
 * @param gate completes when bytes may move; replaced by an incomplete one to blackhole
 */
record ProxiedLink(long id, SharedKillSwitch killSwitch,
    AtomicReference<CompletableFuture<Done>> gate) {

  /** A stage that passes each chunk once the gate is open, in order. */
  Flow<ByteString, ByteString, NotUsed> gated() {
    return Flow.<ByteString>create().mapAsync(1, bytes -> gate.get().thenApply(open -> bytes));
  }

  /** Lets bytes move. */
  void open() {
    gate.get().complete(Done.getInstance());
  }

  /** Holds bytes back until {@link #open}. */
  void shut() {
    if (gate.get().isDone()) {
      gate.set(new CompletableFuture<>());
    }
  }
}
