package io.backedpipe.cli;

import com.typesafe.config.Config;
import io.backedpipe.chaos.ChaosProxy;
import io.backedpipe.chaos.ChaosSchedule;
import io.backedpipe.wire.HumanText;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.stream.Collectors;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code backed-pipe proxy}: the chaos proxy on its own, to break a real link on purpose. */
@Command(name = "proxy", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {"A TCP proxy that keeps breaking the connections through it: every "
        + "--fault-interval (+-50%%) it resets or closes all of them, or blackholes them for "
        + "--blackhole-min..--blackhole-max. Put it between 'connect' and 'serve' to watch the "
        + "tunnel survive.", ""})
final class ProxyCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
      converter = HostPort.Converter.class, description = "Where to accept connections.")
  HostPort listen;

  @Option(names = "--target", required = true, paramLabel = "HOST:PORT",
      converter = HostPort.Converter.class,
      description = "Where to forward them (repeatable: each new connection goes to one of the "
          + "targets at random, seeded by --seed; the nodes of a 'serve' cluster, say).")
  List<HostPort> targets;

  @Option(names = "--fault-interval", paramLabel = "DURATION", defaultValue = "250ms",
      converter = ConfigValue.Time.class,
      description = "Mean time between faults, 0 for none (default: ${DEFAULT-VALUE}).")
  Duration faultInterval;

  @Option(names = "--blackhole-chance", paramLabel = "P", defaultValue = "0.1",
      description = "Share of faults that are blackholes (default: ${DEFAULT-VALUE}).")
  double blackholeChance;

  @Option(names = "--blackhole-min", paramLabel = "DURATION", defaultValue = "2s",
      converter = ConfigValue.Time.class,
      description = "Shortest blackhole (default: ${DEFAULT-VALUE}).")
  Duration blackholeMin;

  @Option(names = "--blackhole-max", paramLabel = "DURATION", defaultValue = "3s",
      converter = ConfigValue.Time.class,
      description = "Longest blackhole (default: ${DEFAULT-VALUE}).")
  Duration blackholeMax;

  @Option(names = "--seed", paramLabel = "N", defaultValue = "42",
      description = "Seed of the fault sequence and of the choice of target "
          + "(default: ${DEFAULT-VALUE}).")
  long seed;

  @Mixin
  CommonOptions common;

  @Override
  public Integer call() throws Exception {
    ChaosSchedule schedule = new ChaosSchedule(faultInterval, blackholeChance, blackholeMin,
        blackholeMax, seed);
    Config config = common.load(Map.of());
    common.applyLogLevel("INFO");
    return ToolRuntime.serveUntilStopped("proxy", listen, config, spec.commandLine().getOut(),
        spec.commandLine().getErr(), system -> ChaosProxy.start(system, listen.address(),
            targets.stream().map(HostPort::address).toList(), schedule)
            .thenApply(p -> "proxying " + HumanText.address(p.address()) + " to " + targetText()
                + ", a fault every ~" + HumanText.duration(faultInterval) + " (Ctrl-C stops)"));
  }

  /** The targets as the banner names them. */
  private String targetText() {
    String all = targets.stream().map(HostPort::toString).collect(Collectors.joining(", "));
    return targets.size() == 1 ? all : "one of " + all + " at random for each connection";
  }
}
