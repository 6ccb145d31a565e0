package io.backedpipe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import io.backedpipe.cluster.ClusterNodeConfig;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** {@code serve}'s cluster options: what turns cluster mode on, and what is refused. */
class ServeClusterOptionsTest {
  private static final String NL = System.lineSeparator();
  private static final String SERVE = "serve --listen 127.0.0.1:0 --target 127.0.0.1:1 ";

  /** What one run printed and returned. */
  private record Run(int exit, String out, String err) {}

  private static Run run(String args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine line = Main.commandLine();
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    int exit = line.execute(args.trim().split("\\s+"));
    return new Run(exit, out.toString(), err.toString());
  }

  private static ClusterOptions options(Integer port, String host, String... seeds) {
    ClusterOptions options = new ClusterOptions();
    options.port = port;
    options.host = host;
    for (String seed : seeds) {
      options.seeds.add(HostPort.parse(seed));
    }
    return options;
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "--cluster-port 25520                     | error: cluster mode needs at least one --seed HOST:PORT (a seed node's cluster address; this node may be one)",
      "--cluster-host 10.0.0.5                  | error: cluster mode needs --cluster-port N (this node's cluster port) with --seed HOST:PORT",
      "--seed 127.0.0.1:25520                   | error: cluster mode needs --cluster-port N (this node's cluster port) with --seed HOST:PORT",
      "--cluster-port 25520 --seed nohost       | Invalid value for option '--seed' (HOST:PORT): 'nohost' is not HOST:PORT",
      "--cluster-port 25520 --seed a:b          | Invalid value for option '--seed' (HOST:PORT): 'a:b': the port is not a number",
      "--cluster-port 25520 --seed a:70000      | Invalid value for option '--seed' (HOST:PORT): 'a:70000': the port must be in 0..65535",
      "--cluster-port 25520 --seed a:0          | error: --seed a:0: a seed's port must not be 0",
      "--cluster-port 70000 --seed a:25520      | error: --cluster-port 70000 must be in 0..65535",
      "--cluster-port x --seed a:25520          | Invalid value for option '--cluster-port': 'x' is not an int",
  })
  void shouldRefuseAnIncompleteOrMalformedClusterWithExitCodeTwoAndOneLine(String args,
      String message) {
    Run run = run(SERVE + args);
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().startsWith(message + NL), run.err());
    assertTrue(run.err().split(NL).length <= 2, "one line, and a pointer to the help:\n"
        + run.err());
    assertEquals("", run.out());
  }

  @Test
  void shouldBeASingleServerWhenNoClusterOptionIsGiven() {
    assertEquals(Optional.empty(), options(null, null).node(HostPort.parse("0.0.0.0:7000")));
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "0.0.0.0:7000     |          | 127.0.0.1",
      "[::]:7000        |          | 127.0.0.1",
      "10.0.0.5:7000    |          | 10.0.0.5",
      "node1.lan:7000   |          | node1.lan",
      "0.0.0.0:7000     | 10.0.0.6 | 10.0.0.6",
  })
  void shouldTakeTheClusterHostFromTheListenHostUnlessItIsAWildcard(String listen, String host,
      String expected) {
    ClusterOptions.Node node = options(25520, host, "10.0.0.5:25520")
        .node(HostPort.parse(listen)).orElseThrow();
    assertEquals(expected, node.host());
  }

  @Test
  void shouldMakeTheNodeConfigurationFromTheOptions() {
    Config config = options(25521, "10.0.0.6", "10.0.0.5:25520", "10.0.0.6:25521")
        .node(HostPort.parse("0.0.0.0:7000")).orElseThrow().config();
    assertEquals("cluster", config.getString("pekko.actor.provider"));
    assertEquals("10.0.0.6", config.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals(25521, config.getInt("pekko.remote.artery.canonical.port"));
    assertEquals(List.of("pekko://" + ClusterNodeConfig.SYSTEM_NAME + "@10.0.0.5:25520",
        "pekko://" + ClusterNodeConfig.SYSTEM_NAME + "@10.0.0.6:25521"),
        config.getStringList("pekko.cluster.seed-nodes"));
  }

  @Test
  void shouldLetSetOverrideWhatTheClusterOptionsConfigure() {
    CommonOptions common = new CommonOptions();
    common.settings.put("pekko.remote.artery.canonical.port", "25999");
    Config config = common.load(Map.of(), options(25521, null, "127.0.0.1:25520")
        .node(HostPort.parse("127.0.0.1:7000")).orElseThrow().config());
    assertEquals(25999, config.getInt("pekko.remote.artery.canonical.port"));
    assertEquals("127.0.0.1", config.getString("pekko.remote.artery.canonical.hostname"));
    assertEquals("cluster", config.getString("pekko.actor.provider"));
  }
}
