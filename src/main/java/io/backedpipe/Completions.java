package io.backedpipe;

import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * For the library's own use: completion stages whose dependent actions run on the thread that
 * completes them.
 *
 * <p>The stages Pekko's Java API hands out (an ask's answer, {@code watchTermination},
 * {@code handleWith}, a TCP stream's connection) are Scala futures converted to a
 * {@code CompletableFuture} that runs every dependent action asynchronously, on
 * {@code CompletableFuture}'s default executor: the common fork-join pool, or, where that pool has
 * fewer than two threads (any machine of one or two cores), a new thread per action. So each
 * {@code whenComplete}, and each {@code pipeToSelf} (which calls it), on such a stage started a
 * thread on a two-core machine: several per pipe connection, one of them on every WELCOME's path
 * (issue 13). The actions the library hangs on these stages are short and never block, so they
 * may run where the stage completes.
 */
public final class Completions {
  private Completions() {}

  /**
   * A plain {@code CompletableFuture} completed, on the completing thread, as {@code stage} is.
   *
   * @param stage any stage
   * @param <T> the value's type
   * @return a future whose non-async dependent actions run on the thread that completes it (or
   *     on the caller's, when already complete)
   */
  public static <T> CompletableFuture<T> direct(CompletionStage<T> stage) {
    CompletableFuture<T> direct = new CompletableFuture<>();
    stage.whenCompleteAsync((value, error) -> {
      if (error != null) {
        direct.completeExceptionally(error);
      } else {
        direct.complete(value);
      }
    }, Runnable::run);
    return direct;
  }
}
