package io.backedpipe.transport;

/** Whether a TLS server asks its clients for a certificate ({@code backed-pipe.transport.tls.client-auth}). */
public enum TlsClientAuth {
  /** Clients are not asked; any client that trusts the server connects. */
  NONE,
  /** Clients are asked; one without a certificate connects, one it offers is checked by the JDK. */
  WANT,
  /** Clients must present a certificate the server's trust store accepts (mutual TLS). */
  NEED;

  /**
   * Reads a setting's value.
   *
   * @param value {@code none}, {@code want} or {@code need}, in any case
   * @return the constant
   * @throws IllegalArgumentException for any other value
   */
  public static TlsClientAuth parse(String value) {
    for (TlsClientAuth auth : values()) {
      if (auth.name().equalsIgnoreCase(value.trim())) {
        return auth;
      }
    }
    throw new IllegalArgumentException("tls.client-auth=" + value + " must be none, want or need");
  }
}
