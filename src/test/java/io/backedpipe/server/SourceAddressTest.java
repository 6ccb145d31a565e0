package io.backedpipe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;

import java.net.InetAddress;
import org.junit.jupiter.api.Test;

/**
 * Per-address limits count an IPv6 client by its /64: one host owns a whole /64 and could take a
 * fresh address for every connection (found by review: the caps keyed the full address).
 */
class SourceAddressTest {
  private static InetAddress address(String text) throws Exception {
    return InetAddress.getByName(text);
  }

  @Test
  void shouldKeepAnIpv4AddressWhole() throws Exception {
    assertEquals(address("192.0.2.17"), SourceAddress.key(address("192.0.2.17")));
    assertNotEquals(SourceAddress.key(address("192.0.2.17")),
        SourceAddress.key(address("192.0.2.18")));
  }

  @Test
  void shouldCountAnIpv6AddressByItsSlash64() throws Exception {
    assertEquals(address("2001:db8:1:2::"), SourceAddress.key(address("2001:db8:1:2:aaaa::1")));
    assertEquals(SourceAddress.key(address("2001:db8:1:2::1")),
        SourceAddress.key(address("2001:db8:1:2:ffff:ffff:ffff:ffff")));
    assertNotEquals(SourceAddress.key(address("2001:db8:1:2::1")),
        SourceAddress.key(address("2001:db8:1:3::1")));
  }

  @Test
  void shouldLetNoClientPassTheCreationLimitWithAnotherAddressOfItsSlash64() throws Exception {
    CreationRateLimiter limiter = new CreationRateLimiter(1.0, 2);
    assertEquals(true, limiter.tryCreate(address("2001:db8::1"), 0));
    assertEquals(true, limiter.tryCreate(address("2001:db8::2"), 0));
    assertEquals(false, limiter.tryCreate(address("2001:db8::3"), 0)); // same /64: same bucket
    assertEquals(true, limiter.tryCreate(address("2001:db8:0:1::1"), 0)); // another /64
  }
}
