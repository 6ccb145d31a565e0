package io.backedpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Settings: the documented defaults, validation, and the backoff arithmetic. */
class PipeSettingsTest {
  private static PipeSettings defaults() {
    return PipeSettings.fromConfig(ConfigFactory.defaultReference().getConfig("backed-pipe"));
  }

  @Test
  void shouldReadTheDocumentedDefaultsFromReferenceConf() {
    PipeSettings settings = defaults();
    assertEquals(8 * 1024 * 1024, settings.windowBytes());
    assertEquals(256 * 1024, settings.maxFrameBytes());
    assertEquals(8 * 1024 * 1024, settings.readBufferBytes());
    assertEquals(256 * 1024, settings.ackEveryBytes());
    assertEquals(Duration.ofMillis(20), settings.ackInterval());
    assertEquals(1024 * 1024, settings.writeBatchBytes());
    ReconnectPolicy policy = settings.reconnect();
    assertEquals(Duration.ofMillis(100), policy.minBackoff());
    assertEquals(Duration.ofSeconds(10), policy.maxBackoff());
    assertEquals(2.0, policy.factor());
    assertEquals(0.2, policy.jitter());
    assertEquals(0, policy.maxAttempts());
    assertEquals(Duration.ZERO, policy.giveUpAfter());
    assertEquals(Duration.ofSeconds(10), policy.attemptTimeout());
    assertEquals(Duration.ofSeconds(5), policy.stableAfter());
    assertEquals(Duration.ofSeconds(30), settings.ackStallTimeout());
  }

  @Test
  void shouldRefuseNegativeStableAfterAndAckStallTimeout() {
    assertEquals("stableAfter=-1s must be >= 0", assertThrows(IllegalArgumentException.class,
        () -> defaults().reconnect().withStableAfter(Duration.ofSeconds(-1))).getMessage());
    assertEquals("ackStallTimeout=-1s must be >= 0", assertThrows(
        IllegalArgumentException.class,
        () -> defaults().withAckStallTimeout(Duration.ofSeconds(-1))).getMessage());
  }

  @Test
  void shouldRefuseAnAckThresholdAboveHalfTheWindow() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> defaults().withAcks(5 * 1024 * 1024, Duration.ofMillis(20)));
    assertEquals("ackEveryBytes=5242880 must be in [1, windowBytes/2]", error.getMessage());
  }

  @Test
  void shouldRefuseAReadBufferSmallerThanTheWindow() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> defaults().withReadBufferBytes(1024));
    assertEquals("readBufferBytes=1024 must be >= windowBytes", error.getMessage());
  }

  @Test
  void shouldGrowTheReadBufferWithALargerWindow() {
    assertEquals(16 * 1024 * 1024, defaults().withWindowBytes(16 * 1024 * 1024).readBufferBytes());
  }

  @Test
  void shouldShrinkTheAckThresholdWithASmallWindow() {
    assertEquals(512, defaults().withWindowBytes(1024).ackEveryBytes());
  }

  @Test
  void shouldRefuseAZeroWindow() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> defaults().withWindowBytes(0));
    assertEquals("windowBytes=0 must be > 0", error.getMessage());
  }

  @Test
  void shouldRefuseJitterAboveOne() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> ReconnectPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(2)).withJitter(1.5));
    assertEquals("jitter=1.5 must be in [0, 1]", error.getMessage());
  }

  @ParameterizedTest
  @CsvSource({"1, 100", "2, 200", "3, 400", "4, 800", "5, 1000", "40, 1000"})
  void shouldGrowTheBackoffExponentiallyUpToTheCap(int failedAttempts, long expectedMillis) {
    ReconnectPolicy policy =
        ReconnectPolicy.backoff(Duration.ofMillis(100), Duration.ofSeconds(1)).withJitter(0);
    assertEquals(Optional.of(Duration.ofMillis(expectedMillis)),
        policy.nextDelay(failedAttempts, 0.5));
  }

  @ParameterizedTest
  @CsvSource({"0.0, 80", "0.5, 100", "0.99999, 119"})
  void shouldSpreadTheBackoffByTheJitter(double random, long expectedMillis) {
    ReconnectPolicy policy = ReconnectPolicy.backoff(Duration.ofMillis(100), Duration.ofSeconds(1));
    assertEquals(expectedMillis, policy.nextDelay(1, random).orElseThrow().toMillis());
  }

  @Test
  void shouldGiveUpAfterOneAttemptWithTheSingleAttemptPolicy() {
    assertEquals(Optional.empty(), ReconnectPolicy.singleAttempt().nextDelay(1, 0.5));
  }

  @Test
  void shouldGiveUpAfterMaxAttempts() {
    ReconnectPolicy policy = ReconnectPolicy.backoff(Duration.ofMillis(1), Duration.ofMillis(2))
        .withMaxAttempts(3);
    assertEquals(true, policy.nextDelay(2, 0.5).isPresent());
    assertEquals(Optional.empty(), policy.nextDelay(3, 0.5));
  }
}
