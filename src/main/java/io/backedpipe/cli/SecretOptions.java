package io.backedpipe.cli;

import java.io.File;
import java.util.LinkedHashMap;
import java.util.Map;
import picocli.CommandLine.Option;

/** Where the shared secret of {@code serve} and {@code connect} is; never the secret itself. */
final class SecretOptions {
  @Option(names = "--secret-file", paramLabel = "FILE",
      description = "A file holding the shared secret (at least 16 bytes) that clients prove and "
          + "the server requires (backed-pipe.transport.auth.secret-file). Give both ends the same.")
  File secretFile;

  @Option(names = "--secret-env", paramLabel = "VAR",
      description = "The name of an environment variable holding the shared secret "
          + "(backed-pipe.transport.auth.secret-env). The secret itself is never an option.")
  String secretEnv;

  /**
   * The settings these options override.
   *
   * @return path to value; empty when neither was given
   */
  Map<String, Object> settings() {
    Map<String, Object> all = new LinkedHashMap<>();
    if (secretFile != null) {
      all.put("backed-pipe.transport.auth.secret-file", secretFile.getAbsolutePath());
    }
    if (secretEnv != null) {
      all.put("backed-pipe.transport.auth.secret-env", secretEnv);
    }
    return all;
  }
}
