package io.backedpipe.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.File;

/**
 * Loads the runnable tool's configuration: {@code application.conf} from the working directory
 * (the project's top-level file) over the usual Typesafe Config stack (system properties,
 * {@code -Dconfig.file}, classpath {@code application.conf}, the library's {@code reference.conf}).
 */
final class ToolConfig {
  /** The file the tool reads from the working directory, when it exists. */
  static final String FILE = "application.conf";

  private ToolConfig() {}

  /**
   * Loads the configuration.
   *
   * @param overrides {@code path=value} pairs that win over everything; a path that does not start
   *     with {@code backed-pipe} or {@code pekko} is taken relative to {@code section}
   * @param section the tool's own section, such as {@code backed-pipe.demo}
   * @return the resolved configuration
   */
  static Config load(String[] overrides, String section) {
    Config top = ConfigFactory.empty();
    for (String override : overrides) {
      String pair = override.startsWith("backed-pipe") || override.startsWith("pekko")
          ? override : section + "." + override;
      top = ConfigFactory.parseString(pair).withFallback(top);
    }
    Config defaults = ConfigFactory.load();
    File file = new File(FILE);
    Config fromFile = file.isFile() ? ConfigFactory.parseFile(file) : ConfigFactory.empty();
    // System properties still win over the file, as they do in ConfigFactory.load().
    return top.withFallback(ConfigFactory.systemProperties())
        .withFallback(fromFile)
        .withFallback(defaults)
        .resolve();
  }
}
