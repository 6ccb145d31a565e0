package io.backedpipe.cli;

import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import picocli.CommandLine;

/**
 * Sizes ({@code 8MiB}, {@code 65536}) and durations ({@code 250ms}, {@code 2s}) written as in the
 * configuration files, so an option and the setting it overrides read the same.
 */
final class ConfigValue {
  private ConfigValue() {}

  /** A size such as {@code 8MiB}, in bytes. */
  static final class Size implements CommandLine.ITypeConverter<Long> {
    @Override
    public Long convert(String value) {
      try {
        long bytes = ConfigFactory.parseString("v = \"" + value + "\"").getBytes("v");
        if (bytes <= 0) {
          throw new CommandLine.TypeConversionException("'" + value + "' must be positive");
        }
        return bytes;
      } catch (ConfigException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a size (for example 64KiB, 8MiB, 1GiB)");
      }
    }
  }

  /** A duration such as {@code 250ms}. */
  static final class Time implements CommandLine.ITypeConverter<Duration> {
    @Override
    public Duration convert(String value) {
      try {
        Duration d = ConfigFactory.parseString("v = \"" + value + "\"").getDuration("v");
        if (d.isNegative()) {
          throw new CommandLine.TypeConversionException("'" + value + "' must not be negative");
        }
        return d;
      } catch (ConfigException e) {
        throw new CommandLine.TypeConversionException(
            "'" + value + "' is not a duration (for example 250ms, 2s, 1m)");
      }
    }
  }

  /**
   * A duration as the configuration library reads it back (exact, for a setting: the words of a
   * message use {@link io.backedpipe.wire.HumanText#duration}).
   *
   * @param duration the duration
   * @return for example {@code 250ms}
   */
  static String text(Duration duration) {
    return duration.toNanos() % 1_000_000 == 0 ? duration.toMillis() + "ms"
        : duration.toNanos() + "ns";
  }

  /**
   * A size in the largest binary unit that divides it, as the configuration files write it.
   *
   * @param bytes the size
   * @return for example {@code 512KiB}, {@code 3GiB}, or {@code 1000 bytes}
   */
  static String sizeText(long bytes) {
    String[] units = {"GiB", "MiB", "KiB"};
    long[] sizes = {1L << 30, 1L << 20, 1L << 10};
    for (int i = 0; i < units.length; i++) {
      if (bytes != 0 && bytes % sizes[i] == 0) {
        return bytes / sizes[i] + units[i];
      }
    }
    return bytes == 1 ? "1 byte" : bytes + " bytes";
  }
}
