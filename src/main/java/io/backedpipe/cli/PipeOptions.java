package io.backedpipe.cli;

import com.typesafe.config.Config;
import java.io.File;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options every command shares: the pipe's window, heartbeats, grace period, a configuration
 * file and any other setting. Each option overrides one setting of {@code application.conf}; an
 * option not given leaves the file's value (or the library's default).
 */
final class PipeOptions {
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

  @Option(names = "--secret-file", paramLabel = "FILE",
      description = "A file holding the shared secret (at least 16 bytes) that clients prove and "
          + "the server requires (backed-pipe.transport.auth.secret-file). Give both ends the same.")
  File secretFile;

  @Option(names = "--secret-env", paramLabel = "VAR",
      description = "The name of an environment variable holding the shared secret "
          + "(backed-pipe.transport.auth.secret-env). The secret itself is never an option.")
  String secretEnv;

  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file (default: ./application.conf if present).")
  File config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Any other setting, e.g. --set backed-pipe.reconnect.max-backoff=2s "
          + "(repeatable; see reference.conf).")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--log-level", paramLabel = "LEVEL",
      description = "Level of the tool's log on stderr: ERROR, WARN, INFO, DEBUG "
          + "(default: INFO for serve and connect, WARN for demo).")
  String logLevel;

  /**
   * Loads the configuration with these options on top.
   *
   * @param extra settings of the command itself, path to value
   * @return the configuration
   */
  Config load(Map<String, Object> extra) {
    Map<String, Object> all = new LinkedHashMap<>(settings);
    if (window != null) {
      all.put("backed-pipe.window-bytes", window);
      all.put("backed-pipe.read-buffer-bytes", window);
    }
    if (heartbeatInterval != null) {
      all.put("backed-pipe.transport.heartbeat-interval", ConfigValue.text(heartbeatInterval));
    }
    if (heartbeatTimeout != null) {
      all.put("backed-pipe.transport.heartbeat-timeout", ConfigValue.text(heartbeatTimeout));
    }
    if (grace != null) {
      all.put("backed-pipe.server.grace-period", ConfigValue.text(grace));
    }
    if (secretFile != null) {
      all.put("backed-pipe.transport.auth.secret-file", secretFile.getAbsolutePath());
    }
    if (secretEnv != null) {
      all.put("backed-pipe.transport.auth.secret-env", secretEnv);
    }
    all.putAll(extra);
    return ToolConfig.load(Optional.ofNullable(this.config), all);
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
      heartbeats.put("backed-pipe.transport.heartbeat-interval", interval);
    }
    if (heartbeatTimeout == null) {
      heartbeats.put("backed-pipe.transport.heartbeat-timeout", timeout);
    }
    return com.typesafe.config.ConfigFactory.parseMap(heartbeats).withFallback(config);
  }
}
