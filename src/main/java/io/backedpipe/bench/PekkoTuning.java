package io.backedpipe.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Locale;

/**
 * The Pekko-wide settings that bound TCP throughput, under a name for the table: the two TCP
 * buffers, and how many threads the default and internal dispatchers keep. They apply to every
 * stream and actor of an actor system, so each set of values gets its own actor system, shared by
 * the plain Pekko TCP and the pipe cases it is compared across.
 *
 * @param name how the table names this set ({@code default}, {@code tuned})
 * @param writeBufferBytes {@code pekko.stream.materializer.io.tcp.write-buffer-size}: bytes the TCP
 *     stage gathers from upstream while a write is in flight
 * @param directBufferBytes {@code pekko.io.tcp.direct-buffer-size}: the direct buffer each socket
 *     read and write goes through
 * @param dispatcherMinThreads the fewest threads of {@code pekko.actor.default-dispatcher} and
 *     {@code pekko.actor.internal-dispatcher}, 0 to keep Pekko's (fork-join pools of at least 8
 *     and 4): with a factor of 1.0, 2 gives one thread per core on any machine of two cores or
 *     more. When set, the default dispatcher is a thread pool and Pekko's TCP connection actors
 *     run on it ({@code pekko.io.tcp.worker-dispatcher}), as in the tool's
 *     {@code application.conf}
 */
public record PekkoTuning(String name, int writeBufferBytes, int directBufferBytes,
    int dispatcherMinThreads) {
  /** Pekko 1.7.0's own defaults (its {@code reference.conf}). */
  public static final PekkoTuning PEKKO_DEFAULT =
      new PekkoTuning("default", 16 * 1024, 128 * 1024, 0);

  /**
   * The configuration of a benchmark actor system with these settings: quiet logs, a server that
   * admits as many pipes as the memory case dials, over the library's and Pekko's defaults.
   *
   * @return the resolved configuration
   */
  public Config config() {
    String dispatchers = dispatcherMinThreads <= 0 ? "" : String.format(Locale.ROOT, """
        pekko.actor.default-dispatcher.executor = thread-pool-executor
        pekko.actor.default-dispatcher.thread-pool-executor {
          core-pool-size-min = %d
          core-pool-size-factor = 1.0
          allow-core-timeout = off
        }
        pekko.actor.internal-dispatcher.fork-join-executor.parallelism-min = %d
        pekko.io.tcp.worker-dispatcher = pekko.actor.default-dispatcher
        """, dispatcherMinThreads, dispatcherMinThreads);
    return ConfigFactory.parseString(String.format(Locale.ROOT, """
            pekko.stream.materializer.io.tcp.write-buffer-size = %d
            pekko.io.tcp.direct-buffer-size = %d
            pekko.loglevel = ERROR
            pekko.log-dead-letters = off
            pekko.log-dead-letters-during-shutdown = off
            backed-pipe.server.max-pipes = 1000000
            backed-pipe.server.max-total-window-bytes = 1000000GiB
            """, writeBufferBytes, directBufferBytes) + dispatchers)
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  /**
   * The settings as arguments of {@link ServerProbe}, to start a child JVM with the same
   * configuration.
   *
   * @return the arguments
   */
  public java.util.List<String> probeArguments() {
    return java.util.List.of(Integer.toString(writeBufferBytes),
        Integer.toString(directBufferBytes), Integer.toString(dispatcherMinThreads));
  }

  /**
   * Parses {@link #probeArguments()}.
   *
   * @param args the arguments
   * @return the settings, named {@code probe}
   */
  public static PekkoTuning fromProbeArguments(String[] args) {
    return new PekkoTuning("probe", Integer.parseInt(args[0]), Integer.parseInt(args[1]),
        Integer.parseInt(args[2]));
  }

  /**
   * A short description for headers.
   *
   * @return the text
   */
  public String describe() {
    return "write-buffer-size " + ResultTable.size(writeBufferBytes) + ", direct-buffer-size "
        + ResultTable.size(directBufferBytes) + ", dispatcher threads "
        + (dispatcherMinThreads <= 0 ? "Pekko's (at least 8 and 4)"
            : "at least " + dispatcherMinThreads
                + " (one per core; the default one a thread pool, with the TCP actors)");
  }
}
