package io.backedpipe.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.backedpipe.wire.HumanText;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

/**
 * The options of the commands that run pipes ({@code serve}, {@code connect}, {@code demo},
 * {@code soak}): the window, heartbeats and grace period. Each overrides one setting of
 * {@code application.conf}; an option not given leaves the file's value (or the library's
 * default).
 */
final class PipeOptions {
  private static final String WINDOW = "backed-pipe.window-bytes";
  private static final String ACK_EVERY = "backed-pipe.ack-every-bytes";
  private static final String INTERVAL = "backed-pipe.transport.heartbeat-interval";
  private static final String TIMEOUT = "backed-pipe.transport.heartbeat-timeout";

  @Spec(Spec.Target.MIXEE)
  CommandSpec command;

  @Option(names = "--window", paramLabel = "SIZE", converter = ConfigValue.Size.class,
      description = "Replay window of each pipe: bytes sent but not yet acknowledged "
          + "(backed-pipe.window-bytes; the read buffer follows it). Use the same on both ends.")
  Long window;

  @Option(names = "--heartbeat-interval", paramLabel = "DURATION",
      converter = ConfigValue.Time.class,
      description = "Send a PING after this much silence (backed-pipe.transport.heartbeat-interval).")
  Duration heartbeatInterval;

  @Option(names = "--heartbeat-timeout", paramLabel = "DURATION",
      converter = ConfigValue.Time.class,
      description = "A link silent this long is dead and is replaced; this is what catches a "
          + "blackhole (backed-pipe.transport.heartbeat-timeout).")
  Duration heartbeatTimeout;

  @Option(names = "--grace", paramLabel = "DURATION", converter = ConfigValue.Time.class,
      description = "How long a stream survives without a link: the server keeps it, the client "
          + "keeps retrying (backed-pipe.server.grace-period).")
  Duration grace;

  /**
   * The settings these options override.
   *
   * @return path to value; empty when none was given
   */
  Map<String, Object> settings() {
    Map<String, Object> all = new LinkedHashMap<>();
    if (window != null) {
      all.put(WINDOW, window);
      all.put("backed-pipe.read-buffer-bytes", window);
    }
    if (heartbeatInterval != null) {
      all.put(INTERVAL, ConfigValue.text(heartbeatInterval));
    }
    if (heartbeatTimeout != null) {
      all.put(TIMEOUT, ConfigValue.text(heartbeatTimeout));
    }
    if (grace != null) {
      all.put("backed-pipe.server.grace-period", ConfigValue.text(grace));
    }
    return all;
  }

  /**
   * Checks the values of these options against the settings they meet, so that a bad one is told
   * in the options' terms ({@code --window 1KiB is too small: at least 512KiB ...}) rather than by
   * the library's field names.
   *
   * @param config the loaded configuration
   * @throws IllegalArgumentException naming the option, its value and what it must be
   */
  void check(Config config) {
    if (window != null) {
      long ackEvery = config.getBytes(ACK_EVERY);
      if (window > Integer.MAX_VALUE) {
        throw new IllegalArgumentException(
            "--window " + given("--window") + " is too large: it must be under 2GiB");
      }
      if (window < 2 * ackEvery) {
        throw new IllegalArgumentException("--window " + given("--window")
            + " is too small: at least " + ConfigValue.sizeText(2 * ackEvery)
            + " (twice " + ACK_EVERY + ", " + ConfigValue.sizeText(ackEvery) + ")");
      }
    }
    if (heartbeatInterval != null || heartbeatTimeout != null) {
      Duration interval = config.getDuration(INTERVAL);
      Duration timeout = config.getDuration(TIMEOUT);
      if (timeout.compareTo(interval) <= 0) {
        throw new IllegalArgumentException(heartbeat("--heartbeat-timeout", heartbeatTimeout,
            timeout, TIMEOUT) + " must be longer than " + heartbeat("--heartbeat-interval",
            heartbeatInterval, interval, INTERVAL));
      }
    }
  }

  /** An option as the user gave it, or the setting it did not override. */
  private String heartbeat(String option, Duration given, Duration value, String key) {
    return given != null ? option + " " + given(option)
        : key + " (" + HumanText.duration(value) + ")";
  }

  /** The value of an option as it was typed. */
  private String given(String option) {
    var matched = command.commandLine().getParseResult().matchedOption(option);
    return matched != null && !matched.stringValues().isEmpty()
        ? matched.stringValues().get(0) : "?";
  }

  /**
   * Heartbeats for a run in one process whose faults come faster than the tool's defaults would
   * notice, unless the heartbeat options were given.
   *
   * @param config the loaded configuration
   * @param interval the heartbeat interval to use
   * @param timeout the heartbeat timeout to use
   * @return the configuration with them
   */
  Config withHeartbeatsUnlessGiven(Config config, String interval, String timeout) {
    Map<String, Object> heartbeats = new LinkedHashMap<>();
    if (heartbeatInterval == null) {
      heartbeats.put(INTERVAL, interval);
    }
    if (heartbeatTimeout == null) {
      heartbeats.put(TIMEOUT, timeout);
    }
    return ConfigFactory.parseMap(heartbeats).withFallback(config);
  }
}
