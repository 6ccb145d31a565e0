package io.backedpipe.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code backed-pipe soak}: many pipes, both ways, through every kind of fault, for a while. */
@Command(name = "soak", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {"Run many pipes over TCP on loopback, each writing seeded data both ways, "
        + "through a proxy that injects every kind of fault (reset, close, blackhole, stall, "
        + "delay, bandwidth limit, cut at a byte); some read slowly. Checks every byte and that "
        + "no end ever holds more than its window; exits 1 on any mismatch.", ""})
final class SoakCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--duration", paramLabel = "DURATION", defaultValue = "30s",
      converter = ConfigValue.Time.class,
      description = "How long the pipes write (default: ${DEFAULT-VALUE}).")
  Duration duration;

  @Option(names = "--pipes", paramLabel = "N", defaultValue = "8",
      description = "Pipes, each writing both ways (default: ${DEFAULT-VALUE}).")
  int pipes;

  @Option(names = "--slow-readers", paramLabel = "N", defaultValue = "2",
      description = "How many pipes read at 2 MB/s at both ends (default: ${DEFAULT-VALUE}).")
  int slowReaders;

  @Option(names = "--fault-interval", paramLabel = "DURATION", defaultValue = "20ms",
      converter = ConfigValue.Time.class,
      description = "Mean time between faults (default: ${DEFAULT-VALUE}).")
  Duration faultInterval;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
      description = "Seed of the data and of the faults (default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin
  PipeOptions options;

  @Override
  public Integer call() throws Exception {
    SoakPlan plan = new SoakPlan(duration, pipes, slowReaders, 2_000_000, faultInterval, seed,
        16 * 1024, Duration.ofSeconds(120));
    Config config = ToolRuntime.withRandomSecret(soakDefaults(options.load(Map.of())));
    ToolRuntime.validate(config);
    LogLevel.apply(options.logLevel != null ? options.logLevel : "ERROR");
    return ToolRuntime.runOnce("backed-pipe-soak", config, system ->
        new Soak(system, plan, spec.commandLine().getOut()).run().passed());
  }

  /**
   * Faults come every few milliseconds: heartbeats and retries must be quicker than the tool's
   * defaults for a blackhole or stall to be caught within the soak, unless options say otherwise.
   */
  private Config soakDefaults(Config config) {
    Map<String, Object> quick = new LinkedHashMap<>();
    quick.put("backed-pipe.transport.handshake-timeout", "2s");
    quick.put("backed-pipe.reconnect.min-backoff", "2ms");
    quick.put("backed-pipe.reconnect.max-backoff", "100ms");
    return options.withHeartbeatsUnlessGiven(ConfigFactory.parseMap(quick).withFallback(config),
        "100ms", "500ms");
  }
}
