package io.backedpipe.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Locale;

/**
 * The two Pekko-wide settings that bound TCP throughput, under a name for the table. They apply to
 * every TCP stream of an actor system, so each set of values gets its own actor system, shared by
 * the plain Pekko TCP and the pipe cases it is compared across.
 *
 * @param name how the table names this set ({@code default}, {@code tuned})
 * @param writeBufferBytes {@code pekko.stream.materializer.io.tcp.write-buffer-size}: bytes the TCP
 *     stage gathers from upstream while a write is in flight
 * @param directBufferBytes {@code pekko.io.tcp.direct-buffer-size}: the direct buffer each socket
 *     read and write goes through
 */
public record TcpBuffers(String name, int writeBufferBytes, int directBufferBytes) {
  /** Pekko 1.7.0's own defaults (its {@code reference.conf}). */
  public static final TcpBuffers PEKKO_DEFAULT = new TcpBuffers("default", 16 * 1024, 128 * 1024);

  /**
   * The configuration of a benchmark actor system with these buffers: quiet logs, a server that
   * admits as many pipes as the memory case dials, over the library's and Pekko's defaults.
   *
   * @return the resolved configuration
   */
  public Config config() {
    return ConfigFactory.parseString(String.format(Locale.ROOT, """
            pekko.stream.materializer.io.tcp.write-buffer-size = %d
            pekko.io.tcp.direct-buffer-size = %d
            pekko.loglevel = ERROR
            pekko.log-dead-letters = off
            pekko.log-dead-letters-during-shutdown = off
            backed-pipe.server.max-pipes = 1000000
            backed-pipe.server.max-total-window-bytes = 1000000GiB
            """, writeBufferBytes, directBufferBytes))
        .withFallback(ConfigFactory.load())
        .resolve();
  }

  /**
   * The settings as {@code -D} options, to start a child JVM with the same configuration.
   *
   * @return the JVM options
   */
  public java.util.List<String> systemProperties() {
    return java.util.List.of(
        "-Dpekko.stream.materializer.io.tcp.write-buffer-size=" + writeBufferBytes,
        "-Dpekko.io.tcp.direct-buffer-size=" + directBufferBytes);
  }

  /**
   * A short description for headers: {@code write-buffer 1 MiB, direct-buffer 1 MiB}.
   *
   * @return the text
   */
  public String describe() {
    return "write-buffer-size " + ResultTable.size(writeBufferBytes) + ", direct-buffer-size "
        + ResultTable.size(directBufferBytes);
  }
}
