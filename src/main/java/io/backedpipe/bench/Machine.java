package io.backedpipe.bench;

import java.io.IOException;
import java.lang.management.ManagementFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.stream.Stream;

/** What the figures were measured on: cores, CPU, JDK, Pekko, heap and load. */
final class Machine {
  private Machine() {}

  /**
   * One Markdown paragraph describing this machine and JVM.
   *
   * @return the text
   */
  static String describe() {
    Runtime runtime = Runtime.getRuntime();
    return String.format(Locale.ROOT,
        "Machine: %d cores (%s), %s; JDK %s (%s); Pekko %s; max heap %d MiB; load average %.2f.",
        runtime.availableProcessors(), cpuModel(), System.getProperty("os.name") + " "
            + System.getProperty("os.version"), System.getProperty("java.runtime.version"),
        System.getProperty("java.vm.name"), org.apache.pekko.Version.current(),
        runtime.maxMemory() >> 20, loadAverage());
  }

  /**
   * The system's load average over the last minute, or -1 where unknown.
   *
   * @return the load
   */
  static double loadAverage() {
    return ManagementFactory.getOperatingSystemMXBean().getSystemLoadAverage();
  }

  private static String cpuModel() {
    Path info = Path.of("/proc/cpuinfo");
    if (!Files.isReadable(info)) {
      return System.getProperty("os.arch");
    }
    try (Stream<String> lines = Files.lines(info)) {
      return lines.filter(line -> line.startsWith("model name"))
          .map(line -> line.substring(line.indexOf(':') + 1).trim())
          .findFirst().orElse(System.getProperty("os.arch"));
    } catch (IOException e) {
      return System.getProperty("os.arch");
    }
  }
}
