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
        + "verdict; exits 0 only when every byte matched. With --nodes N, 'serve' is a cluster of "
        + "N nodes in the process and the proxy sends each new link to one of them at random.",
        ""})
final class DemoCommand implements Callable<Integer> {
  /** The most nodes {@code --nodes} starts in one process. */
  static final int MAX_NODES = 5;

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

  @Option(names = "--nodes", paramLabel = "N", defaultValue = "1",
      description = "Serve nodes: 1 (default) for one server; 2..5 for a cluster of that many "
          + "in the process, each new link through the proxy to one of them at random; the "
          + "verdict adds per node the links that landed there and the pipes it hosted.")
  int nodes;

  @Mixin
  CommonOptions common;

  @Mixin
  PipeOptions pipe;

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || nodes > MAX_NODES) {
      throw new IllegalArgumentException("--nodes " + nodes + " must be in 1.." + MAX_NODES);
    }
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
        new TunnelDemo(system, demo, spec.commandLine().getOut(), System.console() != null,
            nodes).run());
  }
}
