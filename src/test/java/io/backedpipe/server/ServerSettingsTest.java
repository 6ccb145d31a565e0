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
    assertEquals(8L << 30, settings.maxTotalWindowBytes());
    assertEquals(Duration.ofSeconds(60), settings.grace());
    assertEquals(1024, settings.acceptBacklog());
  }

  @Test
  void shouldRejectAnEmptyAcceptBacklog() {
    ServerSettings settings = defaults();
    assertThrows(IllegalArgumentException.class, () -> new ServerSettings(true,
        settings.maxPipes(), settings.maxTotalWindowBytes(), settings.grace(), 0));
  }
}
