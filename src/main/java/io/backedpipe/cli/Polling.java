package io.backedpipe.cli;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Waits for something the tool can only ask about (a pipe's status, a server's pipe count), asking
 * every 100 ms; for the end of a soak, not for anything on the byte path.
 */
final class Polling {
  private static final long EVERY_MILLIS = 100;

  private Polling() {}

  /** A condition that may need to ask an actor. */
  @FunctionalInterface
  interface Condition {
    boolean holds() throws Exception;
  }

  /**
   * Waits until the condition holds or the limit passes.
   *
   * @param condition what to wait for
   * @param limit how long at most
   * @return whether it held in time
   * @throws Exception if asking failed
   */
  static boolean until(Condition condition, Duration limit) throws Exception {
    long deadline = System.nanoTime() + limit.toNanos();
    while (!condition.holds()) {
      if (System.nanoTime() >= deadline) {
        return false;
      }
      CompletableFuture.runAsync(() -> { },
          CompletableFuture.delayedExecutor(EVERY_MILLIS, TimeUnit.MILLISECONDS)).get();
    }
    return true;
  }
}
