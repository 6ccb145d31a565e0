package io.backedpipe;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.lang.management.ManagementFactory;

/**
 * Counts the threads a piece of work starts, for the tests that check that a tunnel stream or a
 * reconnect starts none (see {@link Completions} for how one could).
 */
public final class StartedThreads {
  /**
   * The test configuration with pools of a fixed size: a pool's threads start lazily, up to a size
   * set by the machine's cores, and they must not be counted as the work's.
   */
  public static final Config FIXED_POOLS = ConfigFactory.parseString("""
          pekko.actor.default-dispatcher.fork-join-executor { parallelism-min = 2,
                                                              parallelism-max = 2 }
          pekko.actor.internal-dispatcher.fork-join-executor { parallelism-min = 2,
                                                               parallelism-max = 2 }
          """).withFallback(ConfigFactory.load("application-test"));

  /** Work that may throw. */
  public interface Work {
    /**
     * Does it.
     *
     * @throws Exception whatever it throws
     */
    void run() throws Exception;
  }

  private StartedThreads() {}

  /**
   * Runs {@code work} and counts the threads the JVM started meanwhile.
   *
   * @param work the work
   * @return how many threads were started
   * @throws Exception whatever the work throws
   */
  public static long during(Work work) throws Exception {
    long before = ManagementFactory.getThreadMXBean().getTotalStartedThreadCount();
    work.run();
    return ManagementFactory.getThreadMXBean().getTotalStartedThreadCount() - before;
  }
}
