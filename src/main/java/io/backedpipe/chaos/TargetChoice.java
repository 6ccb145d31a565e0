package io.backedpipe.chaos;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.SplittableRandom;

/**
 * Where a {@link ChaosProxy} forwards each new connection: one of its targets, chosen at random
 * from a seeded source, so that the same seed gives the same sequence of choices. With one target
 * there is nothing to choose and no random number is drawn.
 *
 * <p>Not thread-safe; owned by the proxy's accepting stream, which takes one connection at a time.
 */
final class TargetChoice {
  /** Keeps the choices apart from the fault schedule's draws, which use the same seed. */
  private static final long SALT = 0x7A56E7C4D1B2F3A5L;

  private final List<InetSocketAddress> targets;
  private final SplittableRandom random;

  /**
   * A choice among these targets.
   *
   * @param targets where connections may go; not empty
   * @param seed the seed of the choices (the proxy's {@link ChaosSchedule#seed()})
   * @throws IllegalArgumentException when there is no target
   */
  TargetChoice(List<InetSocketAddress> targets, long seed) {
    if (targets.isEmpty()) {
      throw new IllegalArgumentException("targets must not be empty");
    }
    this.targets = List.copyOf(targets);
    this.random = new SplittableRandom(seed ^ SALT);
  }

  /**
   * The targets, in the order given.
   *
   * @return the targets
   */
  List<InetSocketAddress> targets() {
    return targets;
  }

  /**
   * Chooses the target of the next connection.
   *
   * @return its index in {@link #targets()}
   */
  int next() {
    return targets.size() == 1 ? 0 : random.nextInt(targets.size());
  }
}
