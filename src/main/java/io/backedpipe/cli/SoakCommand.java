package io.backedpipe.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.time.Duration;
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
        + "through a proxy that breaks their connections; some read slowly. Checks every byte "
        + "and that no end ever holds more than its window; exits 1 on any mismatch.", "",
        "Profiles (--profile):",
        "  lan     (default) full speed, a fault of every kind (reset, close, blackhole, stall, "
        + "delay, bandwidth limit, cut at a byte) every ~20 ms; heartbeats 100ms/500ms; runs 30s.",
        "  mobile  every connection 150 ms each way (300 ms round trip) and 16-64 KiB/s each way "
        + "(seeded, a new rate every minute); the link lost without reset for 10-30 s after "
        + "every 20-40 s up; a reset every ~45 s. Heartbeats every 2s, dead after 8s (catch "
        + "every loss); each pipe writes 4 KiB/s each way in 1 KiB writes; slow readers read "
        + "8 KiB/s; runs 5m.",
        ""})
final class SoakCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--profile", paramLabel = "PROFILE", defaultValue = "lan",
      converter = ProfileConverter.class,
      description = "The network: lan or mobile (default: ${DEFAULT-VALUE}).")
  SoakProfile profile;

  @Option(names = "--duration", paramLabel = "DURATION", converter = ConfigValue.Time.class,
      description = "How long the pipes write (default: 30s; 5m with --profile mobile).")
  Duration duration;

  @Option(names = "--pipes", paramLabel = "N", defaultValue = "8",
      description = "Pipes, each writing both ways (default: ${DEFAULT-VALUE}).")
  int pipes;

  @Option(names = "--slow-readers", paramLabel = "N", defaultValue = "2",
      description = "How many pipes read slowly at both ends: 2 MB/s, or 8 KiB/s with "
          + "--profile mobile (default: ${DEFAULT-VALUE}).")
  int slowReaders;

  @Option(names = "--fault-interval", paramLabel = "DURATION", converter = ConfigValue.Time.class,
      description = "Mean time between short faults (default: 20ms; 45s with --profile mobile, "
          + "whose faults are resets).")
  Duration faultInterval;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
      description = "Seed of the data, the faults and the link conditions "
          + "(default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin
  CommonOptions common;

  @Mixin
  PipeOptions pipe;

  @Override
  public Integer call() throws Exception {
    SoakPlan plan = SoakPlan.of(profile, duration != null ? duration : profile.duration(), pipes,
        slowReaders, faultInterval != null ? faultInterval : profile.faultInterval(), seed);
    Config loaded = common.load(pipe.settings());
    pipe.check(loaded);
    Config config = ToolRuntime.withRandomSecret(soakDefaults(loaded));
    ToolRuntime.validate(config);
    common.applyLogLevel("ERROR");
    return ToolRuntime.runOnce("backed-pipe-soak", config, system ->
        new Soak(system, plan, spec.commandLine().getOut()).run().passed());
  }

  /**
   * The profile's heartbeats (unless options say otherwise), handshake and retries: faults come
   * faster than the tool's defaults would notice on the LAN, and losses last longer on mobile.
   */
  private Config soakDefaults(Config config) {
    return pipe.withHeartbeatsUnlessGiven(
        ConfigFactory.parseMap(profile.settings()).withFallback(config),
        profile.heartbeatInterval(), profile.heartbeatTimeout());
  }

  /** Reads a profile's name in any case. */
  static final class ProfileConverter implements picocli.CommandLine.ITypeConverter<SoakProfile> {
    @Override
    public SoakProfile convert(String value) {
      try {
        return SoakProfile.valueOf(value.toUpperCase(java.util.Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "profile=" + value + " must be lan or mobile");
      }
    }
  }
}
