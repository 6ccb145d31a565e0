package io.backedpipe.chaos;

import java.util.concurrent.CompletableFuture;
import org.apache.pekko.Done;

/**
 * What a {@link ChaosLink} does to each element now; immutable, swapped whole by the controls.
 *
 * @param gate completes when elements may move; an incomplete one holds them (a blackhole)
 * @param reopenAtNanos when a stall ends by itself ({@link System#nanoTime}), or 0 for never
 * @param delayNanos how long every element waits
 * @param bytesPerSecond the most bytes per second in each direction, 0 for no limit
 */
record LinkPlan(CompletableFuture<Done> gate, long reopenAtNanos, long delayNanos,
    long bytesPerSecond) {

  static LinkPlan open() {
    return new LinkPlan(CompletableFuture.completedFuture(Done.getInstance()), 0, 0, 0);
  }

  boolean holding(long now) {
    return !gate.isDone() && (reopenAtNanos == 0 || now < reopenAtNanos);
  }

  LinkPlan withGate(CompletableFuture<Done> gate, long reopenAtNanos) {
    return new LinkPlan(gate, reopenAtNanos, delayNanos, bytesPerSecond);
  }

  LinkPlan withShaping(long delayNanos, long bytesPerSecond) {
    return new LinkPlan(gate, reopenAtNanos, delayNanos, bytesPerSecond);
  }
}
