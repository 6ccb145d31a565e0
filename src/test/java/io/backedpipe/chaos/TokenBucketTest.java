package io.backedpipe.chaos;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.SplittableRandom;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;
import org.junit.jupiter.api.Test;

/** The bandwidth limit on a simulated clock: exact over long runs, late wake-ups cost nothing. */
class TokenBucketTest {
  private static final long SECOND = 1_000_000_000L;

  /**
   * Ten simulated minutes of a sender that always has data, woken up to 15 ms late (a coarse
   * scheduler): what passed stays within one burst and one piece of rate * time.
   */
  @ParameterizedTest
  @ValueSource(longs = {16 * 1024, 64 * 1024, 50_000_000})
  void shouldHoldItsRateOverTenMinutesWhateverTheWakeUps(long bytesPerSecond) {
    TokenBucket bucket = new TokenBucket();
    SplittableRandom random = new SplittableRandom(bytesPerSecond);
    int piece = TokenBucket.pieceBytes(bytesPerSecond);
    long now = SECOND;
    long end = now + 600 * SECOND;
    long passed = 0;
    while (now < end) {
      if (bucket.tryTake(piece, bytesPerSecond, now)) {
        passed += piece;
      } else {
        now += bucket.nanosUntil(piece) + random.nextLong(15_000_000);
      }
    }
    double expected = bytesPerSecond * 600.0;
    long burst = TokenBucket.burstBytes(bytesPerSecond);
    assertTrue(passed <= expected + burst + piece, "passed=" + passed + " expected=" + expected);
    assertTrue(passed >= expected - burst - piece, "passed=" + passed + " expected=" + expected);
  }

  @Test
  void shouldLetAnElementLargerThanABurstPassAfterSavingUpForIt() {
    TokenBucket bucket = new TokenBucket();
    int large = 256 * 1024;
    long rate = 16 * 1024;
    assertFalse(bucket.tryTake(large, rate, 0));
    long wait = bucket.nanosUntil(large);
    assertEquals(16 * SECOND - SECOND / 10, wait, 1_000_000); // the first burst is free
    assertFalse(bucket.tryTake(large, rate, wait - 10_000_000));
    assertTrue(bucket.tryTake(large, rate, wait));
    assertFalse(bucket.tryTake(1, rate, wait)); // and it used all the credit
  }

  @Test
  void shouldSaveUpAtMostABurstWhileIdle() {
    TokenBucket bucket = new TokenBucket();
    long rate = 64 * 1024;
    long burst = TokenBucket.burstBytes(rate);
    assertTrue(bucket.tryTake(1, rate, 0));
    assertTrue(bucket.tryTake((int) burst, rate, 3600 * SECOND)); // an hour idle
    assertFalse(bucket.tryTake(1, rate, 3600 * SECOND));
  }
}
