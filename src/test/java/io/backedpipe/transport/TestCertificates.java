package io.backedpipe.transport;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.TimeUnit;

/**
 * Self-signed certificates made for a test with the JDK's {@code keytool}, in PKCS12 stores under
 * one directory, all with the password {@link #PASSWORD}: a server key for {@code localhost} and
 * {@code 127.0.0.1}, a client key, a trust store for each side, and a stranger's certificate that
 * no side trusts.
 *
 * @param serverKeys the server's key and certificate (CN=localhost, SAN dns:localhost, ip:127.0.0.1)
 * @param clientKeys the client's key and certificate, for mutual TLS
 * @param clientTrust trusts the server's certificate
 * @param serverTrust trusts the client's certificate
 * @param strangerTrust trusts only a stranger's certificate: a client with it trusts no server here
 * @param passwordFile a file holding {@link #PASSWORD}
 */
public record TestCertificates(Path serverKeys, Path clientKeys, Path clientTrust,
    Path serverTrust, Path strangerTrust, Path passwordFile) {
  /** The password of every store (a test secret, nothing else). */
  public static final String PASSWORD = "test-store-secret";

  /**
   * Makes the stores.
   *
   * @param dir where they go
   * @return the stores
   * @throws Exception when keytool fails
   */
  public static TestCertificates create(Path dir) throws Exception {
    TestCertificates c = new TestCertificates(dir.resolve("server.p12"), dir.resolve("client.p12"),
        dir.resolve("client-trust.p12"), dir.resolve("server-trust.p12"),
        dir.resolve("stranger-trust.p12"), dir.resolve("password.txt"));
    Files.writeString(c.passwordFile(), PASSWORD + "\n", StandardCharsets.UTF_8);
    keyPair(c.serverKeys(), "server", "CN=localhost", "SAN=dns:localhost,ip:127.0.0.1");
    keyPair(c.clientKeys(), "client", "CN=backed-pipe test client", null);
    Path stranger = dir.resolve("stranger.p12");
    keyPair(stranger, "stranger", "CN=stranger.example", "SAN=dns:stranger.example");
    trust(c.serverKeys(), "server", dir.resolve("server.cer"), c.clientTrust());
    trust(c.clientKeys(), "client", dir.resolve("client.cer"), c.serverTrust());
    trust(stranger, "stranger", dir.resolve("stranger.cer"), c.strangerTrust());
    return c;
  }

  private static void keyPair(Path store, String alias, String name, String extension)
      throws Exception {
    List<String> args = new ArrayList<>(List.of("-genkeypair", "-alias", alias, "-keyalg", "EC",
        "-groupname", "secp256r1", "-dname", name, "-validity", "2", "-storetype", "PKCS12",
        "-keystore", store.toString(), "-storepass", PASSWORD));
    if (extension != null) {
      args.addAll(List.of("-ext", extension));
    }
    keytool(args);
  }

  private static void trust(Path keys, String alias, Path cert, Path trustStore) throws Exception {
    keytool(List.of("-exportcert", "-alias", alias, "-keystore", keys.toString(), "-storepass",
        PASSWORD, "-rfc", "-file", cert.toString()));
    keytool(List.of("-importcert", "-noprompt", "-alias", alias, "-file", cert.toString(),
        "-storetype", "PKCS12", "-keystore", trustStore.toString(), "-storepass", PASSWORD));
  }

  private static void keytool(List<String> args) throws IOException, InterruptedException {
    List<String> command = new ArrayList<>();
    command.add(Path.of(System.getProperty("java.home"), "bin", "keytool").toString());
    command.addAll(args);
    Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
    String output = new String(process.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    if (!process.waitFor(60, TimeUnit.SECONDS) || process.exitValue() != 0) {
      throw new IOException("keytool " + args.get(0) + " failed: " + output);
    }
  }

  /**
   * A server's settings: its key, and the clients' certificates for client-auth.
   *
   * @return the settings
   */
  public TlsSettings server() {
    return TlsSettings.disabled().withKeyStore(serverKeys, PASSWORD)
        .withTrustStore(serverTrust, PASSWORD);
  }

  /**
   * A client's settings: trusts the server, has no key.
   *
   * @return the settings
   */
  public TlsSettings client() {
    return TlsSettings.disabled().withTrustStore(clientTrust, PASSWORD);
  }
}
