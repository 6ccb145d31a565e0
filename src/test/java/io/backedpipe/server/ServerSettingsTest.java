package io.backedpipe.server;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/** The server's documented defaults and checks. */
class ServerSettingsTest {
  private static ServerSettings defaults() {
    return ServerSettings.fromConfig(ConfigFactory.defaultReference().getConfig("backed-pipe"));
  }

  @Test
  void shouldReadTheDocumentedDefaults() {
    ServerSettings settings = defaults();
    assertEquals(true, settings.createOnFirstContact());
    assertEquals(1000, settings.maxPipes());
    assertEquals(16L << 30, settings.maxTotalBufferBytes());
    assertEquals(Duration.ofSeconds(60), settings.grace());
    assertEquals(1024, settings.acceptBacklog());
    assertEquals(256, settings.maxHandshakes());
    assertEquals(16, settings.maxHandshakesPerAddress());
    assertEquals(10.0, settings.createRatePerAddress());
    assertEquals(20, settings.createBurstPerAddress());
  }

  @Test
  void shouldReadTheOldTotalWindowKeyAsTheTotalBufferLimit() {
    com.typesafe.config.Config config = ConfigFactory
        .parseString("server.max-total-window-bytes = 1GiB")
        .withFallback(ConfigFactory.defaultReference().getConfig("backed-pipe"));
    assertEquals(1L << 30, ServerSettings.fromConfig(config).maxTotalBufferBytes());
  }

  @Test
  void shouldRejectAnEmptyAcceptBacklog() {
    ServerSettings settings = defaults();
    assertThrows(IllegalArgumentException.class, () -> new ServerSettings(true,
        settings.maxPipes(), settings.maxTotalBufferBytes(), settings.grace(), 0,
        settings.maxHandshakes(), settings.maxHandshakesPerAddress(),
        settings.createRatePerAddress(), settings.createBurstPerAddress()));
  }
}
