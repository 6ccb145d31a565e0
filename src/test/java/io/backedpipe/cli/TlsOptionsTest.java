package io.backedpipe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.transport.TestCertificates;
import io.backedpipe.transport.TlsClientAuth;
import io.backedpipe.transport.TlsSettings;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** The TLS options of serve and connect: what they set, and the messages of a wrong one. */
class TlsOptionsTest {
  @TempDir
  static Path dir;
  private static TestCertificates certs;

  @BeforeAll
  static void makeCertificates() throws Exception {
    certs = TestCertificates.create(dir);
  }

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

  /** The TLS settings a connect command line gives, with {@code environment} as the process's. */
  private static TlsSettings connectSettings(Map<String, String> environment, String... args) {
    ConnectCommand command = new ConnectCommand();
    new CommandLine(command).parseArgs(args);
    return TlsSettings.fromConfig(ToolConfig.load(Optional.empty(),
        Map.copyOf(command.tls.settings(environment::get))).getConfig("backed-pipe"));
  }

  @Test
  void shouldLeaveTlsOffWithoutTlsOptions() {
    TlsSettings tls = connectSettings(Map.of(), "--server", "a:1", "--listen", "127.0.0.1:0");
    assertFalse(tls.enabled());
  }

  @Test
  void shouldTurnTlsOnAndReadThePasswordFromAFile() {
    TlsSettings tls = connectSettings(Map.of(), "--server", "a:1", "--listen", "127.0.0.1:0",
        "--tls-trust-store", certs.clientTrust().toString(),
        "--tls-trust-store-password", "file:" + certs.passwordFile());
    assertTrue(tls.enabled());
    assertEquals(Optional.of(certs.clientTrust()), tls.trustStore());
    assertEquals(TestCertificates.PASSWORD, tls.trustStorePassword());
    assertTrue(tls.verifyHostname());
  }

  @Test
  void shouldReadThePasswordFromTheNamedEnvironmentVariable() {
    TlsSettings tls = connectSettings(Map.of("PIPE_KEYS", "from the environment"),
        "--server", "a:1", "--listen", "127.0.0.1:0", "--tls-key-store", "keys.p12",
        "--tls-key-store-password", "env:PIPE_KEYS");
    assertEquals(Optional.of(Path.of("keys.p12")), tls.keyStore());
    assertEquals("from the environment", tls.keyStorePassword());
    assertFalse(tls.toString().contains("from the environment"), tls.toString());
  }

  @Test
  void shouldRefuseAPasswordOnTheCommandLineWithoutRepeatingIt() {
    Run run = run("connect", "--server", "a:1", "--listen", "127.0.0.1:0",
        "--tls-trust-store-password", "hunter2");
    assertEquals(2, run.exit());
    assertTrue(run.err().startsWith("Invalid value for option '--tls-trust-store-password': "
        + "give file:PATH or env:NAME, not the password itself"), run.err());
    assertFalse(run.err().contains("hunter2"), run.err());
  }

  @Test
  void shouldRefuseAnUnknownClientAuth() {
    Run run = run("serve", "--listen", "127.0.0.1:0", "--target", "a:1",
        "--tls-client-auth", "maybe");
    assertEquals(2, run.exit());
    assertTrue(run.err().startsWith(
        "Invalid value for option '--tls-client-auth': 'maybe' is not one of none, want, need"),
        run.err());
  }

  @Test
  void shouldRefuseAMissingKeyStoreWithExitCodeTwo() {
    Run run = run("serve", "--listen", "127.0.0.1:0", "--target", "a:1",
        "--tls-key-store", "/no/such/keys.p12", "--tls-key-store-password",
        "file:" + certs.passwordFile());
    assertEquals(2, run.exit());
    assertEquals("error: TLS key store /no/such/keys.p12 not found or not readable",
        run.err().strip());
  }

  @Test
  void shouldRefuseAWrongPasswordWithExitCodeTwo() throws Exception {
    Path wrong = Files.writeString(dir.resolve("wrong.txt"), "not the password\n");
    Run run = run("serve", "--listen", "127.0.0.1:0", "--target", "a:1",
        "--tls-key-store", certs.serverKeys().toString(),
        "--tls-key-store-password", "file:" + wrong);
    assertEquals(2, run.exit());
    assertTrue(run.err().startsWith("error: TLS key store " + certs.serverKeys()
        + ": wrong password"), run.err());
  }

  @Test
  void shouldRefuseAnUnreadablePasswordFileWithExitCodeTwo() {
    Run run = run("connect", "--server", "a:1", "--listen", "127.0.0.1:0",
        "--tls-trust-store", certs.clientTrust().toString(),
        "--tls-trust-store-password", "file:/no/such/password");
    assertEquals(2, run.exit());
    assertTrue(run.err().startsWith(
        "error: tls.trust-store-password-file=/no/such/password: cannot read it"), run.err());
  }

  @Test
  void shouldRefuseAnUnsetEnvironmentVariableWithExitCodeTwo() {
    Run run = run("connect", "--server", "a:1", "--listen", "127.0.0.1:0",
        "--tls-trust-store-password", "env:BACKED_PIPE_TEST_SURELY_UNSET");
    assertEquals(2, run.exit());
    assertEquals("error: environment variable BACKED_PIPE_TEST_SURELY_UNSET is not set",
        run.err().strip());
  }

  @Test
  void shouldRefuseToServeOverTlsWithoutAKeyStore() {
    Run run = run("serve", "--listen", "127.0.0.1:0", "--target", "a:1", "--tls");
    assertEquals(2, run.exit());
    assertEquals("error: serve over TLS needs --tls-key-store (backed-pipe.transport.tls.key-store)",
        run.err().strip());
  }

  @Test
  void shouldSetClientAuthForServe() {
    ServeCommand command = new ServeCommand();
    new CommandLine(command).parseArgs("--listen", "127.0.0.1:0", "--target", "a:1",
        "--tls-client-auth", "NEED");
    assertEquals(TlsClientAuth.NEED, command.clientAuth);
  }

  @Test
  void shouldListTheTlsOptionsInTheHelp() {
    for (String command : new String[] {"serve", "connect"}) {
      Run run = run(command, "--help");
      assertEquals(0, run.exit());
      for (String option : new String[] {"--tls ", "--tls-key-store=FILE",
          "--tls-key-store-password=SOURCE", "--tls-trust-store=FILE",
          "--tls-trust-store-password=SOURCE"}) {
        assertTrue(run.out().contains(option), command + " " + option);
      }
    }
    assertTrue(run("serve", "--help").out().contains("--tls-client-auth=none|want|need"));
  }
}
