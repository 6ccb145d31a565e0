package io.backedpipe.cli;

import io.backedpipe.transport.SharedSecret;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code backed-pipe hostile}: the hostile-input soak. */
@Command(name = "hostile", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {"Play generated hostile handshakes and frames (random bytes, boundary lengths, "
        + "truncations, unknown types, impossible positions, replays, data after the end...) "
        + "against an in-process server that also hosts a real echo client. Exits 1 if any "
        + "connection stayed open, the real client's echo differed or its pipe was disturbed, or "
        + "the server did not return to one pipe.", ""})
final class HostileCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--cases", paramLabel = "N", defaultValue = "100000",
      description = "Cases to play (default: ${DEFAULT-VALUE}).")
  int cases;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "1",
      description = "Seed of the cases (default: ${DEFAULT-VALUE}).")
  long seed;

  @Option(names = "--concurrency", paramLabel = "N", defaultValue = "32",
      description = "Connections at once (default: ${DEFAULT-VALUE}).")
  int concurrency;

  @Option(names = "--authenticated",
      description = "The server requires a shared secret, and the generator's valid handshakes "
          + "prove it (an insider's hostile input).")
  boolean authenticated;

  @Mixin
  CommonOptions common;

  @Override
  public Integer call() throws Exception {
    if (cases < 1 || concurrency < 1) {
      throw new IllegalArgumentException("--cases and --concurrency must be >= 1");
    }
    var config = common.load(Map.of());
    ToolRuntime.validate(config);
    common.applyLogLevel("ERROR");
    Optional<SharedSecret> secret = authenticated
        ? Optional.of(SharedSecret.of(java.security.SecureRandom.getSeed(32))) : Optional.empty();
    return ToolRuntime.runOnce("backed-pipe-hostile", config, system ->
        new HostileSoak(system, spec.commandLine().getOut()).run(cases, seed, concurrency,
            secret));
  }
}
