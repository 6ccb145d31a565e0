package io.backedpipe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.PrintWriter;
import java.io.StringWriter;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import picocli.CommandLine;

/** The command line: exit codes and messages a user sees. */
class MainTest {
  /** What one run printed and returned. */
  private record Run(int exit, String out, String err) {}

  private static Run run(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    CommandLine line = Main.commandLine();
    line.setOut(new PrintWriter(out, true));
    line.setErr(new PrintWriter(err, true));
    int exit = line.execute(args);
    return new Run(exit, out.toString(), err.toString());
  }

  @Test
  void shouldPrintTheVersion() {
    Run run = run("--version");
    assertEquals(0, run.exit());
    assertTrue(run.out().startsWith("backed-pipe "), run.out());
    assertTrue(run.out().contains("Apache Pekko 1.7.0"), run.out());
  }

  private static final String NL = System.lineSeparator();
  private static final String[] COMMANDS = {"serve", "connect", "proxy", "demo", "soak", "hostile"};

  @Test
  void shouldAskForACommandNamingEveryOneInOneShortMessage() {
    Run run = run();
    assertEquals(2, run.exit());
    assertEquals("missing command: one of serve, connect, proxy, demo, soak, hostile, help" + NL
        + "Try 'backed-pipe --help' for more." + NL, run.err());
    assertEquals("", run.out());
  }

  @Test
  void shouldShowHelpForEachCommand() {
    for (String command : COMMANDS) {
      Run run = run(command, "--help");
      assertEquals(0, run.exit(), command);
      assertTrue(run.out().startsWith("Usage: backed-pipe " + command), run.out());
    }
  }

  @Test
  void shouldPrintOneLineAndWhereToReadMoreForABadArgumentNotTheUsage() {
    Run run = run("serve", "--listen", "127.0.0.1:7001");
    assertEquals(2, run.exit());
    assertEquals("Missing required option: '--target=HOST:PORT'" + NL
        + "Try 'backed-pipe serve --help' for more." + NL, run.err());
    assertEquals("", run.out());
  }

  @Test
  void shouldSuggestTheOptionMeantForAMistypedOne() {
    Run run = run("proxy", "--listen", "127.0.0.1:0", "--target", "127.0.0.1:1", "--seeed", "3");
    assertEquals(2, run.exit());
    String[] lines = run.err().split(NL);
    assertEquals("Unknown options: '--seeed', '3'", lines[0], run.err());
    assertEquals("Try 'backed-pipe proxy --help' for more.", lines[lines.length - 1], run.err());
    assertTrue(lines.length <= 3, run.err());
  }

  @Test
  void shouldRenderEveryUsageWithoutAPicocliWarningOrAFormatLeftover() {
    java.io.ByteArrayOutputStream stderr = new java.io.ByteArrayOutputStream();
    java.io.PrintStream before = System.err;
    StringBuilder usages = new StringBuilder();
    System.setErr(new java.io.PrintStream(stderr, true)); // picocli warns on System.err
    try {
      CommandLine line = Main.commandLine();
      usages.append(line.getUsageMessage());
      for (CommandLine sub : line.getSubcommands().values()) {
        usages.append(sub.getUsageMessage());
      }
    } finally {
      System.setErr(before);
    }
    assertEquals("", stderr.toString());
    String text = usages.toString();
    assertTrue(text.contains("(+-50%)"), "the proxy's description renders its percent sign");
    for (String leftover : new String[] {"%n", "%%", "%s", "%d", "${"}) {
      assertFalse(text.contains(leftover), leftover + " in:\n" + text);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "proxy   | --config --set --log-level | --window --heartbeat-interval --heartbeat-timeout"
          + " --grace --secret-file --secret-env",
      "hostile | --config --set --log-level | --window --heartbeat-interval --grace --secret-file",
      "demo    | --window --heartbeat-timeout --grace --config --nodes | --secret-file --secret-env"
          + " --cluster-port",
      "soak    | --window --heartbeat-interval --grace --set | --secret-file --tls",
      "serve   | --window --heartbeat-interval --grace --secret-file --secret-env --tls"
          + " --insecure --cluster-port --cluster-host --seed | --fault-interval --nodes",
      "connect | --window --heartbeat-timeout --grace --secret-file --tls-trust-store"
          + " | --insecure --max-pipes",
  })
  void shouldListOnlyTheOptionsACommandUses(String command, String has, String hasNot) {
    String help = run(command, "--help").out();
    for (String option : has.trim().split(" ")) {
      assertTrue(help.contains(option), command + " lacks " + option + ":\n" + help);
    }
    for (String option : hasNot.trim().split(" ")) {
      assertFalse(help.contains(option), command + " shows " + option + ":\n" + help);
    }
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "serve --listen nohost --target 127.0.0.1:22 | Invalid value for option '--listen': 'nohost' is not HOST:PORT",
      "serve --listen 127.0.0.1:0                  | Missing required option: '--target=HOST:PORT'",
      "serve --listen 127.0.0.1:70000 --target a:1 | Invalid value for option '--listen': '127.0.0.1:70000': the port must be in 0..65535",
      "connect --server a:b --listen 127.0.0.1:0   | Invalid value for option '--server': 'a:b': the port is not a number",
      "connect --server a:1 --listen 127.0.0.1:0 --window 3GiB | error: --window 3GiB is too large: it must be under 2GiB",
      "connect --server a:1 --listen 127.0.0.1:0 --window 1KiB | error: --window 1KiB is too small: at least 512KiB (twice backed-pipe.ack-every-bytes, 256KiB)",
      "connect --server a:1 --listen 127.0.0.1:0 --window 64KiB --set backed-pipe.ack-every-bytes=64KiB | error: --window 64KiB is too small: at least 128KiB (twice backed-pipe.ack-every-bytes, 64KiB)",
      "serve --listen 127.0.0.1:0 --target a:1 --heartbeat-timeout 500ms | error: --heartbeat-timeout 500ms must be longer than backed-pipe.transport.heartbeat-interval (1s)",
      "connect --server a:1 --listen 127.0.0.1:0 --set backed-pipe.windw-bytes=1MiB | error: --set backed-pipe.windw-bytes: no such setting (did you mean backed-pipe.window-bytes?)",
      "serve --listen 127.0.0.1:0 --target a:1 --set backed-pipe.server.grace=5s | error: --set backed-pipe.server.grace: no such setting (did you mean backed-pipe.server.grace-period?)",
      "demo --set backed-pipe.no-such-thing-at-all=1 | error: --set backed-pipe.no-such-thing-at-all: no such setting (see reference.conf)",
      "proxy --listen 127.0.0.1:0 --target a:1 --set pekko.loglevl=DEBUG | error: --set pekko.loglevl: no such setting (did you mean pekko.loglevel?)",
      "connect --server a:1 --listen 127.0.0.1:0 --set log.level=1 | error: --set log.level: not a setting of backed-pipe or Pekko (their keys start with backed-pipe. and pekko.)",
      "connect --server a:1 --listen 127.0.0.1:0 --window lots | Invalid value for option '--window': 'lots' is not a size (for example 64KiB, 8MiB, 1GiB)",
      "serve --listen 127.0.0.1:0 --target a:1 --heartbeat-timeout 1s --heartbeat-interval 2s | error: --heartbeat-timeout 1s must be longer than --heartbeat-interval 2s",
      "demo --streams 0                            | error: streams=0 must be in 1..1000",
      "demo --nodes 6                              | error: --nodes 6 must be in 1..5",
      "demo --nodes 0                              | error: --nodes 0 must be in 1..5",
      "demo --fault-interval soon                  | Invalid value for option '--fault-interval': 'soon' is not a duration (for example 250ms, 2s, 1m)",
      "demo --log-level LOUD                       | error: --log-level=LOUD must be one of ERROR, WARN, INFO, DEBUG, TRACE",
      "demo --config /no/such/file.conf            | error: config file not found: /no/such/file.conf",
      "serve --listen 127.0.0.1:0 --target a:1 --secret-env BACKED_PIPE_TEST_UNSET_VAR | error: environment variable BACKED_PIPE_TEST_UNSET_VAR is not set",
      "connect --server a:1 --listen 127.0.0.1:0 --secret-file /no/such/secret | error: cannot read secret file /no/such/secret",
  })
  void shouldRefuseBadArgumentsWithExitCodeTwoAndAClearMessage(String args, String message) {
    Run run = run(args.trim().split("\\s+"));
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().startsWith(message), run.err());
    assertTrue(run.err().split(NL).length <= 2, "one line, and a pointer to the help:\n"
        + run.err());
  }

  @ParameterizedTest
  @CsvSource(delimiter = '|', value = {
      "backed-pipe { server { grace = 5s } }   | backed-pipe.server.grace: no such setting (did you mean backed-pipe.server.grace-period?)",
      "backed-pipe.windw-bytes = 1MiB         | backed-pipe.windw-bytes: no such setting (did you mean backed-pipe.window-bytes?)",
      "pekko.loglevl = DEBUG                  | pekko.loglevl: no such setting (did you mean pekko.loglevel?)",
  })
  void shouldRefuseAConfigFileThatSetsNoSuchSettingWithExitCodeTwo(String content, String why,
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("typo.conf"),
        content.trim() + NL);
    Run run = run("demo", "--config", file.toString());
    assertEquals(2, run.exit(), run.err());
    assertTrue(run.err().startsWith("error: config file " + file + ": " + why.trim()), run.err());
  }

  @Test
  void shouldLetAConfigFileCarryTheApplicationsOwnKeysBesideOurs(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws Exception {
    // An application's configuration may hold ours among its own: only our subtrees are checked.
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("app.conf"), """
        my-app.cache-size = 10
        backed-pipe.window-bytes = 1MiB
        pekko.actor.deployment { "/pipe" { dispatcher = "x" } }
        """);
    assertEquals(java.util.Optional.empty(), java.util.Optional.ofNullable(
        catchProblem(() -> SettingKeys.checkFile(file.toString(),
            com.typesafe.config.ConfigFactory.parseFile(file.toFile())))));
  }

  /** The message of what {@code check} throws, or null. */
  private static String catchProblem(Runnable check) {
    try {
      check.run();
      return null;
    } catch (IllegalArgumentException e) {
      return e.getMessage();
    }
  }

  @Test
  void shouldFindNothingWrongInTheProjectsOwnApplicationConf() {
    java.io.File conf = new java.io.File(ToolConfig.FILE);
    assertTrue(conf.isFile(), "the project's application.conf, run from the project directory");
    assertEquals(null, catchProblem(() -> SettingKeys.checkFile(conf.getPath(),
        com.typesafe.config.ConfigFactory.parseFile(conf))));
  }

  @ParameterizedTest
  @CsvSource({
      "backed-pipe.window-bytes",
      "backed-pipe.transport.tls.key-store",
      "backed-pipe.server.max-total-window-bytes",
      "backed-pipe.demo.seed",
      "pekko.loglevel",
      "pekko.io.tcp.direct-buffer-size",
      "pekko.actor.deployment./pipe.dispatcher",
  })
  void shouldAcceptEverySettingKeyOfTheReferenceConfiguration(String key) {
    assertEquals(java.util.Optional.empty(), SettingKeys.problem(key,
        ToolConfig.reference().resolve()));
  }

  @Test
  void shouldFailToServeOnAPortInUseWithExitCodeOne() throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      Run run = run("serve", "--listen", "127.0.0.1:" + taken.getLocalPort(), "--target",
          "127.0.0.1:1", "--log-level", "ERROR");
      assertEquals(1, run.exit(), run.err());
      assertEquals("serve: cannot listen on 127.0.0.1:" + taken.getLocalPort()
          + ": address already in use" + NL, run.err());
    }
  }

  @ParameterizedTest
  @CsvSource({"connect, --server", "proxy, --target"})
  void shouldSayInOneLineThatThePortIsTakenWithExitCodeOne(String command, String other)
      throws Exception {
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      Run run = run(command, "--listen", "127.0.0.1:" + taken.getLocalPort(), other,
          "127.0.0.1:1", "--log-level", "ERROR");
      assertEquals(1, run.exit(), run.err());
      assertEquals(command + ": cannot listen on 127.0.0.1:" + taken.getLocalPort()
          + ": address already in use" + NL, run.err());
    }
  }

  @Test
  void shouldKeepPekkosBindFailureOutOfTheToolsLog() {
    ch.qos.logback.classic.LoggerContext context = new ch.qos.logback.classic.LoggerContext();
    ch.qos.logback.classic.Logger listener = context.getLogger(ToolLogFilter.TCP_LISTENER);
    ToolLogFilter filter = new ToolLogFilter();
    assertEquals(ch.qos.logback.core.spi.FilterReply.DENY, filter.decide(
        new ch.qos.logback.classic.spi.LoggingEvent("x", listener,
            ch.qos.logback.classic.Level.ERROR,
            "Bind failed for TCP channel on endpoint [{}]", new java.net.BindException(),
            new Object[] {"/127.0.0.1:7000"})));
    assertEquals(ch.qos.logback.core.spi.FilterReply.NEUTRAL, filter.decide(
        new ch.qos.logback.classic.spi.LoggingEvent("x", listener,
            ch.qos.logback.classic.Level.ERROR, "Accept error: could not accept new connection",
            null, null)));
  }

  @Test
  void shouldRefuseAnOpenServerOnTheWildcardWithExitCodeTwoAndOneLine() {
    Run run = run("serve", "--listen", "0.0.0.0:0", "--target", "127.0.0.1:1");
    assertEquals(2, run.exit(), run.err());
    assertEquals("serve: refusing to listen on 0.0.0.0:0 without authentication: give"
        + " --secret-file or --secret-env (or TLS with --tls-client-auth need), or --insecure to"
        + " accept anyone who reaches the port" + System.lineSeparator(), run.err());
    assertEquals("", run.out());
  }

  @Test
  void shouldPassTheCheckAndTryToBindWhenInsecure() throws Exception {
    // The port is taken, so "could not start" (exit 1) shows the check let it through to bind.
    try (java.net.ServerSocket taken = new java.net.ServerSocket(0, 1,
        java.net.InetAddress.getByName("0.0.0.0"))) {
      Run run = run("serve", "--listen", "0.0.0.0:" + taken.getLocalPort(), "--target",
          "127.0.0.1:1", "--insecure", "--log-level", "ERROR");
      assertEquals(1, run.exit(), run.err());
      assertEquals("serve: cannot listen on 0.0.0.0:" + taken.getLocalPort()
          + ": address already in use" + NL, run.err());
    }
  }

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1:7000, false, false",
      "localhost:7000, false, false",
      "[::1]:7000,     false, false",
      "0.0.0.0:7000,   false, true",
      "[::]:7000,      false, true",
      "0.0.0.0:7000,   true,  false",
  })
  void shouldRefuseAnOpenServerOnlyWhenOthersCanReachIt(String listen, boolean insecure,
      boolean refused) {
    HostPort address = new HostPort.Converter().convert(listen);
    com.typesafe.config.Config config = com.typesafe.config.ConfigFactory.load();
    assertEquals(refused, ServeCommand.refusal(address, insecure, config).isPresent(), listen);
  }

  @Test
  void shouldServeOnTheWildcardWithASecretOrClientCertificates(
      @org.junit.jupiter.api.io.TempDir java.nio.file.Path dir) throws java.io.IOException {
    com.typesafe.config.Config config = com.typesafe.config.ConfigFactory.load();
    HostPort wildcard = new HostPort.Converter().convert("0.0.0.0:7000");
    java.nio.file.Path file = java.nio.file.Files.writeString(dir.resolve("secret"),
        "0123456789abcdef0123456789abcdef");
    java.util.Map<String, Object> secret =
        java.util.Map.of("backed-pipe.transport.auth.secret-file", file.toString());
    java.util.Map<String, Object> mutual = java.util.Map.of(
        "backed-pipe.transport.tls.enabled", true,
        "backed-pipe.transport.tls.client-auth", "need");
    java.util.Map<String, Object> want = java.util.Map.of(
        "backed-pipe.transport.tls.enabled", true,
        "backed-pipe.transport.tls.client-auth", "want");
    assertTrue(ServeCommand.refusal(wildcard, false, with(secret, config)).isEmpty());
    assertTrue(ServeCommand.refusal(wildcard, false, with(mutual, config)).isEmpty());
    assertTrue(ServeCommand.refusal(wildcard, false, with(want, config)).isPresent());
  }

  private static com.typesafe.config.Config with(java.util.Map<String, Object> settings,
      com.typesafe.config.Config config) {
    return com.typesafe.config.ConfigFactory.parseMap(settings).withFallback(config);
  }

  @Test
  void shouldRunASmallDemoToAPassingVerdict() {
    Run run = run("demo", "--bytes", "8MiB", "--streams", "2", "--fault-interval", "50ms",
        "--set", "backed-pipe.demo.blackhole-chance=0", "--set",
        "backed-pipe.demo.progress-interval=200ms");
    assertEquals(0, run.exit(), run.out() + run.err());
    assertTrue(run.out().contains("verdict: PASS"), run.out());
    assertTrue(run.out().contains("lost             0"), run.out());
  }
  @Test
  void shouldRunASmallHostileSoakToAPassingVerdict() {
    Run run = run("hostile", "--cases", "64", "--concurrency", "8", "--seed", "5");
    assertEquals(0, run.exit(), run.out() + run.err());
    assertTrue(run.out().contains("64 cases in "), run.out());
    assertTrue(run.out().contains(" 0 FAILED"), run.out());
    assertTrue(run.out().contains("verdict: PASS"), run.out());
  }
}
