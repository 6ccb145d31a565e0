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

  static Config load() {
    Config defaults = ConfigFactory.load();
    File file = new File(FILE);
    if (!file.isFile()) {
      return defaults;
    }
    // System properties still win over the file, as they do in ConfigFactory.load().
    return ConfigFactory.systemProperties()
        .withFallback(ConfigFactory.parseFile(file))
        .withFallback(defaults)
        .resolve();
  }
}
