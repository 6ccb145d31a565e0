package io.backedpipe.transport;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyStore;
import java.util.Arrays;
import java.util.Collections;
import java.util.List;
import javax.net.ssl.KeyManager;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLParameters;
import javax.net.ssl.TrustManagerFactory;

/**
 * The TLS material of one side, loaded once from {@link TlsSettings}: the JDK's
 * {@link SSLContext} with this side's key (if any) and the certificates it trusts, and a fresh
 * {@link SSLEngine} for each connection. Hand one to {@link TcpReconnector} and
 * {@code PipeServer.bind} to run their connections over TLS.
 *
 * <p>What is verified: a client checks the server's certificate chain against its trust store (the
 * JDK's CAs when none is given) and, unless {@code verify-hostname} is off, that the certificate
 * names the host it dialed; a server with {@code client-auth = need} (or {@code want}, for a client
 * that offers one) checks the client's chain against its trust store.
 *
 * <p>Thread-safe and immutable: an {@code SSLContext} may create engines from any thread.
 */
public final class TlsContext {
  private final TlsSettings settings;
  private final SSLContext context;

  private TlsContext(TlsSettings settings, SSLContext context) {
    this.settings = settings;
    this.context = context;
  }

  /**
   * Reads the key and trust stores and builds the context.
   *
   * @param settings the settings; {@code enabled} is not looked at
   * @return the context
   * @throws IllegalArgumentException naming the store when one is missing, unreadable, has another
   *     password or holds no key, or when a protocol is not supported
   */
  public static TlsContext load(TlsSettings settings) {
    try {
      KeyManager[] keys = null;
      if (settings.keyStore().isPresent()) {
        Path file = settings.keyStore().get();
        KeyStore store = read("key store", file, settings.keyStorePassword());
        if (Collections.list(store.aliases()).stream().noneMatch(a -> isKey(store, a))) {
          throw new IllegalArgumentException("TLS key store " + file + " holds no private key");
        }
        KeyManagerFactory factory =
            KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        factory.init(store, settings.keyStorePassword().toCharArray());
        keys = factory.getKeyManagers();
      }
      TrustManagerFactory trust =
          TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      // null: the JDK's default CAs (cacerts, or javax.net.ssl.trustStore)
      trust.init(settings.trustStore().isPresent()
          ? read("trust store", settings.trustStore().get(), settings.trustStorePassword())
          : null);
      SSLContext context = SSLContext.getInstance("TLS");
      context.init(keys, trust.getTrustManagers(), null);
      List<String> supported = Arrays.asList(context.getSupportedSSLParameters().getProtocols());
      for (String protocol : settings.protocols()) {
        if (!supported.contains(protocol)) {
          throw new IllegalArgumentException("tls.protocols: " + protocol
              + " is not supported here (supported: " + supported + ")");
        }
      }
      return new TlsContext(settings, context);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("TLS setup failed: " + e.getMessage(), e);
    }
  }

  private static KeyStore read(String what, Path file, String password) {
    if (!Files.isReadable(file)) {
      throw new IllegalArgumentException("TLS " + what + " " + file + " not found or not readable");
    }
    try {
      return KeyStore.getInstance(file.toFile(), password.toCharArray());
    } catch (IOException e) {
      // PKCS12 and JKS both report a wrong password as an IOException whose cause is an
      // UnrecoverableKeyException; say it in the user's terms
      boolean wrongPassword = e.getCause() instanceof java.security.UnrecoverableKeyException;
      throw new IllegalArgumentException("TLS " + what + " " + file + ": "
          + (wrongPassword ? "wrong password" : "cannot read it") + " (" + e.getMessage() + ")", e);
    } catch (GeneralSecurityException e) {
      throw new IllegalArgumentException("TLS " + what + " " + file + ": not a key store ("
          + e.getMessage() + ")", e);
    }
  }

  private static boolean isKey(KeyStore store, String alias) {
    try {
      return store.isKeyEntry(alias);
    } catch (GeneralSecurityException e) {
      return false;
    }
  }

  /**
   * The settings this context was loaded from.
   *
   * @return the settings
   */
  public TlsSettings settings() {
    return settings;
  }

  /**
   * Whether this side has a key and certificate to present: a server must.
   *
   * @return true when a key store was loaded
   */
  public boolean hasKey() {
    return settings.keyStore().isPresent();
  }

  /**
   * Checks that this side can serve: a TLS server must present a certificate.
   *
   * @return this context
   * @throws IllegalArgumentException when no key store was loaded
   */
  public TlsContext requireKey() {
    if (!hasKey()) {
      throw new IllegalArgumentException(
          "a TLS server needs a key store (backed-pipe.transport.tls.key-store)");
    }
    return this;
  }

  /** A client engine for one connection to {@code host}, which the server's certificate must name. */
  SSLEngine clientEngine(String host, int port) {
    SSLEngine engine = context.createSSLEngine(host, port); // the host also goes out as SNI
    engine.setUseClientMode(true);
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setProtocols(settings.protocols().toArray(String[]::new));
    if (settings.verifyHostname()) {
      // the JDK's trust manager then checks the certificate's names against the host, as HTTPS does
      parameters.setEndpointIdentificationAlgorithm("HTTPS");
    }
    engine.setSSLParameters(parameters);
    return engine;
  }

  /** A server engine for one accepted connection. */
  SSLEngine serverEngine() {
    SSLEngine engine = context.createSSLEngine();
    engine.setUseClientMode(false);
    SSLParameters parameters = engine.getSSLParameters();
    parameters.setProtocols(settings.protocols().toArray(String[]::new));
    switch (settings.clientAuth()) {
      case NEED -> parameters.setNeedClientAuth(true);
      case WANT -> parameters.setWantClientAuth(true);
      case NONE -> parameters.setNeedClientAuth(false);
      default -> throw new IllegalStateException("unknown client-auth " + settings.clientAuth());
    }
    engine.setSSLParameters(parameters);
    return engine;
  }
}
