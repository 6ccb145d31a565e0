package io.backedpipe.transport;

import com.typesafe.config.Config;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * TLS of the TCP transport, from {@code backed-pipe.transport.tls} (every key documented in
 * {@code reference.conf}). Off by default. A server needs a key store; a client needs a trust store
 * unless the server's certificate chains to a CA the JDK trusts, and a key store only when the
 * server asks for client certificates. {@link TlsContext#load(TlsSettings)} turns these into the
 * JDK's {@code SSLContext}.
 *
 * <pre>{@code
 * TlsSettings tls = TlsSettings.create(system)              // backed-pipe.transport.tls { ... }
 *     .withTrustStore(Path.of("trust.p12"), password);
 * TlsContext context = TlsContext.load(tls);                // reads the stores once
 * }</pre>
 *
 * <p>Passwords come from the configuration (which may take them from the environment with
 * {@code ${?VARIABLE}}) or from a file, never from a command line; {@link #toString()} hides them.
 *
 * @param enabled whether connections run over TLS
 * @param keyStore the PKCS12 (or JKS) file with this side's private key and certificate chain
 * @param keyStorePassword the key store's password (also the key's)
 * @param trustStore the file with the certificates this side trusts; empty for the JDK's CAs
 * @param trustStorePassword the trust store's password
 * @param clientAuth whether a server asks clients for a certificate
 * @param protocols the TLS versions allowed, for example {@code TLSv1.3}
 * @param verifyHostname whether a client checks that the server's certificate names the host it
 *     dialed (as HTTPS does)
 */
public record TlsSettings(
    boolean enabled,
    Optional<Path> keyStore,
    String keyStorePassword,
    Optional<Path> trustStore,
    String trustStorePassword,
    TlsClientAuth clientAuth,
    List<String> protocols,
    boolean verifyHostname) {

  /**
   * Validates the values.
   *
   * @param enabled see the record's description
   * @param keyStore see the record's description
   * @param keyStorePassword see the record's description
   * @param trustStore see the record's description
   * @param trustStorePassword see the record's description
   * @param clientAuth see the record's description
   * @param protocols see the record's description
   * @param verifyHostname see the record's description
   * @throws IllegalArgumentException when a value is out of range
   */
  public TlsSettings {
    protocols = List.copyOf(protocols);
    if (protocols.isEmpty()) {
      throw new IllegalArgumentException("tls.protocols must name at least one protocol");
    }
  }

  /**
   * TLS off, with the other values as {@code reference.conf} has them.
   *
   * @return the settings
   */
  public static TlsSettings disabled() {
    return new TlsSettings(false, Optional.empty(), "", Optional.empty(), "", TlsClientAuth.NONE,
        List.of("TLSv1.3"), true);
  }

  /**
   * Reads the settings of the actor system's configuration.
   *
   * @param system the actor system
   * @return the settings
   * @throws IllegalArgumentException when a password file cannot be read or a value is wrong
   */
  public static TlsSettings create(ActorSystem<?> system) {
    return fromConfig(system.settings().config().getConfig("backed-pipe"));
  }

  /**
   * Reads the settings from a {@code backed-pipe} section; reads password files now.
   *
   * @param config the section (the content of {@code backed-pipe { ... }})
   * @return the settings
   * @throws IllegalArgumentException when a password file cannot be read or a value is wrong
   */
  public static TlsSettings fromConfig(Config config) {
    Config t = config.getConfig("transport.tls");
    return new TlsSettings(
        t.getBoolean("enabled"),
        path(t, "key-store"),
        password(t, "key-store-password"),
        path(t, "trust-store"),
        password(t, "trust-store-password"),
        TlsClientAuth.parse(t.getString("client-auth")),
        t.getStringList("protocols"),
        t.getBoolean("verify-hostname"));
  }

  private static Optional<Path> path(Config t, String key) {
    String value = t.getString(key).trim();
    return value.isEmpty() ? Optional.empty() : Optional.of(Path.of(value));
  }

  /** The {@code key-file} wins over {@code key} when set: its first line, without the newline. */
  private static String password(Config t, String key) {
    Optional<Path> file = path(t, key + "-file");
    if (file.isEmpty()) {
      return t.getString(key);
    }
    try {
      List<String> lines = Files.readAllLines(file.get(), StandardCharsets.UTF_8);
      return lines.isEmpty() ? "" : lines.get(0);
    } catch (IOException e) {
      throw new IllegalArgumentException("tls." + key + "-file=" + file.get()
          + ": cannot read it (" + e + ")", e);
    }
  }

  /**
   * A copy with TLS on and this key store.
   *
   * @param file the key store
   * @param password its password
   * @return the new settings
   */
  public TlsSettings withKeyStore(Path file, String password) {
    return new TlsSettings(true, Optional.of(file), password, trustStore, trustStorePassword,
        clientAuth, protocols, verifyHostname);
  }

  /**
   * A copy with TLS on and this trust store.
   *
   * @param file the trust store
   * @param password its password
   * @return the new settings
   */
  public TlsSettings withTrustStore(Path file, String password) {
    return new TlsSettings(true, keyStore, keyStorePassword, Optional.of(file), password,
        clientAuth, protocols, verifyHostname);
  }

  /**
   * A copy that asks clients for certificates as told.
   *
   * @param auth none, want or need
   * @return the new settings
   */
  public TlsSettings withClientAuth(TlsClientAuth auth) {
    return new TlsSettings(enabled, keyStore, keyStorePassword, trustStore, trustStorePassword,
        auth, protocols, verifyHostname);
  }

  /** Hides the passwords. */
  @Override
  public String toString() {
    return "TlsSettings[enabled=" + enabled + ", keyStore=" + keyStore
        + ", keyStorePassword=***, trustStore=" + trustStore + ", trustStorePassword=***"
        + ", clientAuth=" + clientAuth + ", protocols=" + protocols
        + ", verifyHostname=" + verifyHostname + "]";
  }
}
