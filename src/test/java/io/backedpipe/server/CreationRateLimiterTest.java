package io.backedpipe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.net.InetAddress;
import java.net.UnknownHostException;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** The per-address token bucket of stream creation, with time passed in. */
class CreationRateLimiterTest {
  private static final long SECOND_NS = 1_000_000_000L;

  private static InetAddress address(int last) throws UnknownHostException {
    return InetAddress.getByAddress(new byte[] {10, 0, (byte) (last >> 8), (byte) last});
  }

  @Test
  void shouldAllowTheBurstAtOnceAndThenRefuse() throws Exception {
    CreationRateLimiter limiter = new CreationRateLimiter(10, 20);
    for (int i = 0; i < 20; i++) {
      assertTrue(limiter.tryCreate(address(1), 0), "creation " + i);
    }
    assertFalse(limiter.tryCreate(address(1), 0));
  }

  @Test
  void shouldCountEachAddressOnItsOwn() throws Exception {
    CreationRateLimiter limiter = new CreationRateLimiter(1, 1);
    assertTrue(limiter.tryCreate(address(1), 0));
    assertFalse(limiter.tryCreate(address(1), 0));
    assertTrue(limiter.tryCreate(address(2), 0));
  }

  @ParameterizedTest
  @CsvSource({
      "99999999, false", // 0.1 s less 1 ns at 10/s: not one whole creation yet
      "100000000, true", // exactly one
  })
  void shouldRefillAtTheRate(long elapsedNs, boolean allowed) throws Exception {
    CreationRateLimiter limiter = new CreationRateLimiter(10, 1);
    assertTrue(limiter.tryCreate(address(1), SECOND_NS));
    assertEquals(allowed, limiter.tryCreate(address(1), SECOND_NS + elapsedNs));
  }

  @Test
  void shouldNotSaveUpMoreThanTheBurst() throws Exception {
    CreationRateLimiter limiter = new CreationRateLimiter(10, 2);
    assertTrue(limiter.tryCreate(address(1), 0));
    long later = 3600 * SECOND_NS;
    assertTrue(limiter.tryCreate(address(1), later));
    assertTrue(limiter.tryCreate(address(1), later));
    assertFalse(limiter.tryCreate(address(1), later));
  }

  @Test
  void shouldForgetAddressesWhoseBucketsRefilled() throws Exception {
    CreationRateLimiter limiter = new CreationRateLimiter(10, 20);
    for (int i = 0; i < 100; i++) {
      limiter.tryCreate(address(i), 0);
    }
    assertEquals(100, limiter.addresses());
    limiter.tryCreate(address(1000), SECOND_NS / 10); // one token back: full again
    assertEquals(1, limiter.addresses());
  }

  @Test
  void shouldRememberAtMostMaxAddresses() throws Exception {
    CreationRateLimiter limiter = new CreationRateLimiter(1, 2);
    for (int i = 0; i <= CreationRateLimiter.MAX_ADDRESSES; i++) {
      limiter.tryCreate(address(i), 0);
    }
    assertEquals(CreationRateLimiter.MAX_ADDRESSES, limiter.addresses());
  }

  @Test
  void shouldRejectANonPositiveRate() {
    assertThrows(IllegalArgumentException.class, () -> new CreationRateLimiter(0, 1));
    assertThrows(IllegalArgumentException.class, () -> new CreationRateLimiter(1, 0));
  }
}
