package io.backedpipe.cli;

import java.nio.file.Path;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine;

/**
 * Where a password comes from, given as {@code file:PATH} (the file's first line) or
 * {@code env:NAME} (an environment variable), as OpenSSL's {@code -passin} takes it. A password
 * itself is refused: command lines show up in process lists and shell histories.
 *
 * @param file the file holding the password, when given as {@code file:PATH}
 * @param variable the environment variable holding it, when given as {@code env:NAME}
 */
record PasswordSource(Path file, String variable) {

  /**
   * The settings that carry the password to {@code backed-pipe.transport.tls}: the file's path, or
   * the variable's value (read now).
   *
   * @param key the setting, for example {@code backed-pipe.transport.tls.key-store-password}
   * @param environment the process's environment
   * @return the setting to add, path to value
   * @throws IllegalArgumentException when the variable is not set
   */
  Map<String, Object> settings(String key, Function<String, String> environment) {
    if (file != null) {
      return Map.of(key + "-file", file.toString());
    }
    String value = environment.apply(variable);
    if (value == null) {
      throw new IllegalArgumentException("environment variable " + variable + " is not set");
    }
    return Map.of(key, value);
  }

  /** Reads {@code file:PATH} or {@code env:NAME}. */
  static final class Converter implements CommandLine.ITypeConverter<PasswordSource> {
    @Override
    public PasswordSource convert(String value) {
      if (value.startsWith("file:") && value.length() > "file:".length()) {
        return new PasswordSource(Path.of(value.substring("file:".length())), null);
      }
      if (value.startsWith("env:") && value.length() > "env:".length()) {
        return new PasswordSource(null, value.substring("env:".length()));
      }
      // never echo the value: it may be the password itself
      throw new CommandLine.TypeConversionException(
          "give file:PATH or env:NAME, not the password itself");
    }
  }
}
