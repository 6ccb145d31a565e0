package io.backedpipe.server;

import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.UnknownHostException;
import java.util.Arrays;

/**
 * The key under which per-address limits count a client: its IPv4 address, or the /64 prefix of
 * its IPv6 address.
 *
 * <p>Why a prefix: one IPv6 host routinely owns a whole /64 (privacy addresses, SLAAC), so a
 * client keyed by its full address could take a fresh one for every connection and pass any
 * per-address cap. A /64 is what one site or one host gets; an IPv4 address is kept whole.
 */
final class SourceAddress {
  private static final int PREFIX_BYTES = 8;

  private SourceAddress() {}

  /**
   * The key of a client's address.
   *
   * @param address the client's address
   * @return the address itself (IPv4), or its /64 prefix with the rest zero (IPv6)
   */
  static InetAddress key(InetAddress address) {
    if (!(address instanceof Inet6Address)) {
      return address;
    }
    byte[] bytes = address.getAddress();
    Arrays.fill(bytes, PREFIX_BYTES, bytes.length, (byte) 0);
    try {
      return InetAddress.getByAddress(bytes);
    } catch (UnknownHostException e) {
      throw new IllegalStateException("16 bytes are an IPv6 address", e); // cannot happen
    }
  }
}
