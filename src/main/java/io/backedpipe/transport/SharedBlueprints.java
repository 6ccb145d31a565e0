package io.backedpipe.transport;

import java.time.Duration;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.Function;

/**
 * Stage blueprints shared by every connection made with the same setting. A running stage's logic
 * keeps its stage for the connection's life, and the stage keeps the traversal builder, module,
 * shape, ports and attribute lists it was materialized from (a few hundred bytes): a blueprint
 * made once per setting is paid once per process instead of once per connection. Pekko
 * materializes one blueprint any number of times; these stages keep all per-connection state in
 * their logic. At most {@value #MAX} settings are kept; more start the set afresh.
 *
 * @param <V> the blueprint
 */
final class SharedBlueprints<V> {
  private static final int MAX = 16;
  private final ConcurrentHashMap<Duration, V> made = new ConcurrentHashMap<>();
  private final Function<Duration, V> make;

  SharedBlueprints(Function<Duration, V> make) {
    this.make = make;
  }

  /** The blueprint for {@code setting}, made on first use. */
  V get(Duration setting) {
    V blueprint = made.get(setting);
    if (blueprint != null) {
      return blueprint;
    }
    if (made.size() >= MAX) {
      made.clear();
    }
    return made.computeIfAbsent(setting, make);
  }
}
