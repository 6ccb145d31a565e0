package io.backedpipe.cli;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code backed-pipe demo}: the tunnel at work through a link that keeps breaking. */
@Command(name = "demo", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {"Run, in one process on loopback: an echo target, 'serve', a proxy that keeps "
        + "resetting, closing and now and then blackholing the link, 'connect', and client "
        + "connections that stream seeded data and check every byte that comes back. Ends with a "
        + "verdict; exits 0 only when every byte matched.", ""})
final class DemoCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--bytes", paramLabel = "SIZE", converter = ConfigValue.Size.class,
      description = "Bytes to echo over all streams (backed-pipe.demo.bytes).")
  Long bytes;

  @Option(names = "--streams", paramLabel = "N",
      description = "Concurrent client connections (backed-pipe.demo.streams).")
  Integer streams;

  @Option(names = "--fault-interval", paramLabel = "DURATION",
      converter = ConfigValue.Time.class,
      description = "Mean time between faults of the link, 0 for none "
          + "(backed-pipe.demo.fault-interval).")
  Duration faultInterval;

  @Option(names = "--seed", paramLabel = "N",
      description = "Seed of the data and of the faults (backed-pipe.demo.seed).")
  Long seed;

  @Mixin
  CommonOptions common;

  @Mixin
  PipeOptions pipe;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> extra = new LinkedHashMap<>(pipe.settings());
    if (bytes != null) {
      extra.put("backed-pipe.demo.bytes", bytes);
    }
    if (streams != null) {
      extra.put("backed-pipe.demo.streams", streams);
    }
    if (faultInterval != null) {
      extra.put("backed-pipe.demo.fault-interval", ConfigValue.text(faultInterval));
    }
    if (seed != null) {
      extra.put("backed-pipe.demo.seed", seed);
    }
    Config loaded = common.load(extra);
    pipe.check(loaded);
    // The demo's blackholes last seconds; its own heartbeats catch each within one.
    Config config = ToolRuntime.withRandomSecret(pipe.withHeartbeatsUnlessGiven(loaded,
        loaded.getString("backed-pipe.demo.heartbeat-interval"),
        loaded.getString("backed-pipe.demo.heartbeat-timeout")));
    DemoSettings demo = DemoSettings.fromConfig(config.getConfig("backed-pipe.demo"));
    ToolRuntime.validate(config);
    common.applyLogLevel("WARN");
    return ToolRuntime.runOnce("backed-pipe-demo", config, system ->
        new TunnelDemo(system, demo, spec.commandLine().getOut(), System.console() != null)
            .run());
  }
}
