package io.backedpipe.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;
import java.util.Map;
import java.util.Optional;

/**
 * The configuration of the runnable tool, highest precedence first: the command's options, system
 * properties ({@code -Dbacked-pipe.window-bytes=1MiB}), the configuration file ({@code --config},
 * else {@code application.conf} in the working directory, else the copy of the project's
 * top-level {@code application.conf} in the jar), and the library's defaults
 * ({@code reference.conf}).
 */
final class ToolConfig {
  /** The file read from the working directory when no {@code --config} is given. */
  static final String FILE = "application.conf";
  /** The same file, bundled in the jar next to this class. */
  static final String BUNDLED = "application.conf";
  /** The tool's own settings (the demo's), beside its classes: not in the library's reference. */
  static final String TOOL_REFERENCE = "tool-reference.conf";
  /**
   * How long the phase of Pekko's coordinated shutdown that closes the tunnel's streams may take
   * (Pekko's default is 5 s): the drain ({@link ToolRuntime#SHUTDOWN_DRAIN}) and the CLOSE's own
   * time (at most 5 s on a stalled link) must fit.
   */
  static final String SHUTDOWN_PHASE_TIMEOUT = "15s";

  private ToolConfig() {}

  /**
   * Loads the configuration.
   *
   * @param file the {@code --config} file, if given
   * @param settings path to value, from the command's options
   * @return the resolved configuration
   * @throws IllegalArgumentException if a given file does not exist, or sets a {@code
   *     backed-pipe.*} or {@code pekko.*} key that is not a setting
   */
  static Config load(Optional<File> file, Map<String, Object> settings) {
    return load(file, settings, ConfigFactory.empty());
  }

  /**
   * Loads the configuration with a layer of the command's own defaults under the file: what the
   * command derives from its options (a cluster node's address, say) and the user may still
   * override with {@code --set} or the file.
   *
   * @param file the {@code --config} file, if given
   * @param settings path to value, from the command's options
   * @param beneath the command's defaults, over the tool's and the reference
   * @return the resolved configuration
   * @throws IllegalArgumentException as {@link #load(Optional, Map)}
   */
  static Config load(Optional<File> file, Map<String, Object> settings, Config beneath) {
    Config fromFile;
    if (file.isPresent()) {
      if (!file.get().isFile()) {
        throw new IllegalArgumentException("config file not found: " + file.get());
      }
      fromFile = ConfigFactory.parseFile(file.get());
      SettingKeys.checkFile(file.get().getPath(), fromFile);
    } else {
      File local = new File(FILE);
      // Outside the project directory, the copy of the project's application.conf in the jar.
      if (local.isFile()) {
        fromFile = ConfigFactory.parseFile(local);
        SettingKeys.checkFile(FILE, fromFile);
      } else {
        fromFile = ConfigFactory.parseResources(ToolConfig.class, BUNDLED);
      }
    }
    return ConfigFactory.parseMap(settings, "command-line options")
        .withFallback(ConfigFactory.systemProperties())
        .withFallback(fromFile)
        .withFallback(beneath)
        .withFallback(ConfigFactory.parseMap(Map.of(
            "pekko.coordinated-shutdown.phases.service-requests-done.timeout",
            SHUTDOWN_PHASE_TIMEOUT), "the tool's defaults"))
        .withFallback(reference())
        .resolve();
  }

  /**
   * Every setting the tool knows, with its default: the tool's own over the library's and
   * Pekko's {@code reference.conf}.
   *
   * @return the reference configuration, unresolved
   */
  static Config reference() {
    return ConfigFactory.parseResources(ToolConfig.class, TOOL_REFERENCE)
        .withFallback(ConfigFactory.defaultReference());
  }
}
