package io.backedpipe.cli;

import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.Function;
import picocli.CommandLine.Option;

/**
 * The TLS options of {@code serve} and {@code connect}: each overrides one setting of
 * {@code backed-pipe.transport.tls}, and any of them turns TLS on. Passwords are named by where
 * they are ({@code file:PATH} or {@code env:NAME}), never written on the command line.
 */
final class TlsOptions {
  private static final String TLS = "backed-pipe.transport.tls.";

  @Option(names = "--tls",
      description = "Run the link between connect and serve over TLS (implied by the other --tls "
          + "options; both ends must use it). With no --tls-trust-store the JDK's CAs are "
          + "trusted (backed-pipe.transport.tls.enabled).")
  boolean enabled;

  @Option(names = "--tls-key-store", paramLabel = "FILE",
      description = "PKCS12 file with this end's key and certificate: required by serve; for "
          + "connect, the client certificate a server with client-auth asks for "
          + "(backed-pipe.transport.tls.key-store).")
  Path keyStore;

  @Option(names = "--tls-key-store-password", paramLabel = "SOURCE",
      converter = PasswordSource.Converter.class,
      description = "Where the key store's password is: file:PATH (its first line) or env:NAME "
          + "(an environment variable); never the password itself.")
  PasswordSource keyStorePassword;

  @Option(names = "--tls-trust-store", paramLabel = "FILE",
      description = "PKCS12 file with the certificates this end trusts: for connect, the "
          + "server's certificate (or its CA); for serve with --tls-client-auth, the clients' "
          + "(backed-pipe.transport.tls.trust-store).")
  Path trustStore;

  @Option(names = "--tls-trust-store-password", paramLabel = "SOURCE",
      converter = PasswordSource.Converter.class,
      description = "Where the trust store's password is: file:PATH or env:NAME.")
  PasswordSource trustStorePassword;

  /**
   * The settings these options override.
   *
   * @param environment the process's environment, for {@code env:NAME} passwords
   * @return path to value; empty when no TLS option was given
   * @throws IllegalArgumentException when a named environment variable is not set
   */
  Map<String, Object> settings(Function<String, String> environment) {
    Map<String, Object> settings = new LinkedHashMap<>();
    if (keyStore != null) {
      settings.put(TLS + "key-store", keyStore.toString());
    }
    if (keyStorePassword != null) {
      settings.putAll(keyStorePassword.settings(TLS + "key-store-password", environment));
    }
    if (trustStore != null) {
      settings.put(TLS + "trust-store", trustStore.toString());
    }
    if (trustStorePassword != null) {
      settings.putAll(trustStorePassword.settings(TLS + "trust-store-password", environment));
    }
    if (enabled || !settings.isEmpty()) {
      settings.put(TLS + "enabled", true);
    }
    return settings;
  }
}
