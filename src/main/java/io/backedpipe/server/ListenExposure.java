package io.backedpipe.server;

import java.net.InetAddress;
import java.net.UnknownHostException;

/**
 * Whether a listen address can be reached from other machines: a server that is reachable and has
 * neither a shared secret nor TLS client certificates lets anyone who reaches the port open streams
 * (each one dials the target and holds a slot of {@code max-pipes} for the grace period).
 *
 * <p>Pure and stateless. By default every address counts as reachable except one whose every
 * resolved address is a loopback address; the wildcard ({@code 0.0.0.0}, {@code ::}) and a host
 * that does not resolve count as reachable.
 */
public final class ListenExposure {
  private ListenExposure() {}

  /**
   * Whether {@code host} names only loopback addresses.
   *
   * @param host a host name or literal address, as given to bind
   * @return true if it resolves, and every address it resolves to is a loopback address
   */
  public static boolean isLoopbackOnly(String host) {
    try {
      for (InetAddress address : InetAddress.getAllByName(host)) {
        if (!address.isLoopbackAddress()) {
          return false;
        }
      }
      return true;
    } catch (UnknownHostException e) {
      return false; // the bind will fail on its own; not a reason to call it safe
    }
  }
}
