package io.backedpipe.cli;

import com.typesafe.config.Config;
import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import picocli.CommandLine.Option;

/**
 * The options every command has: the configuration file, any other setting, and the level of the
 * log on stderr.
 */
final class CommonOptions {
  @Option(names = "--config", paramLabel = "FILE",
      description = "Configuration file (default: ./application.conf if present).")
  File config;

  @Option(names = "--set", paramLabel = "KEY=VALUE",
      description = "Any other setting of backed-pipe's reference.conf or of Pekko, e.g. --set "
          + "backed-pipe.reconnect.max-backoff=2s (repeatable; an unknown key is refused).")
  Map<String, String> settings = new LinkedHashMap<>();

  @Option(names = "--log-level", paramLabel = "LEVEL",
      description = "Level of the tool's log on stderr: ERROR, WARN, INFO, DEBUG "
          + "(default: INFO for serve, connect and proxy; WARN for demo; ERROR for soak and "
          + "hostile).")
  String logLevel;

  /**
   * Loads the configuration with the {@code --set} settings and the command's own on top.
   *
   * @param options settings of the command's options, path to value; they win over {@code --set}
   * @return the configuration
   * @throws IllegalArgumentException when a {@code --set} key is not a setting, or the file is
   *     missing
   */
  Config load(Map<String, Object> options) {
    return load(options, com.typesafe.config.ConfigFactory.empty());
  }

  /**
   * Loads the configuration with the {@code --set} settings and the command's own on top, and the
   * command's defaults beneath the file's.
   *
   * @param options settings of the command's options, path to value; they win over {@code --set}
   * @param beneath defaults the command derives (a cluster node's address); {@code --set} and the
   *     file win over them
   * @return the configuration
   * @throws IllegalArgumentException when a {@code --set} key is not a setting, or the file is
   *     missing
   */
  Config load(Map<String, Object> options, Config beneath) {
    SettingKeys.check(settings.keySet());
    Map<String, Object> all = new LinkedHashMap<>(settings);
    all.putAll(options);
    return ToolConfig.load(Optional.ofNullable(config), all, beneath);
  }

  /**
   * Applies {@code --log-level}, or the command's default.
   *
   * @param otherwise the command's level when none was given
   */
  void applyLogLevel(String otherwise) {
    LogLevel.apply(logLevel != null ? logLevel : otherwise);
  }
}
