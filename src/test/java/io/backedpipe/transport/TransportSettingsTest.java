package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import com.typesafe.config.ConfigFactory;
import java.time.Duration;
import java.util.List;
import org.apache.pekko.io.TcpSO;
import org.junit.jupiter.api.Test;

/** The transport's documented defaults and checks. */
class TransportSettingsTest {
  private static TransportSettings defaults() {
    return TransportSettings.fromConfig(ConfigFactory.defaultReference().getConfig("backed-pipe"));
  }

  @Test
  void shouldReadTheDocumentedDefaults() {
    TransportSettings settings = defaults();
    assertEquals(Duration.ofSeconds(5), settings.connectTimeout());
    assertEquals(Duration.ofSeconds(5), settings.handshakeTimeout());
    assertEquals(Duration.ofSeconds(1), settings.heartbeatInterval());
    assertEquals(Duration.ofSeconds(5), settings.heartbeatTimeout());
    assertEquals(Duration.ofSeconds(60), settings.grace());
    assertEquals(List.of(TcpSO.tcpNoDelay(true)), settings.socketOptions());
  }

  @Test
  void shouldRefuseAHeartbeatTimeoutNotLongerThanTheInterval() {
    IllegalArgumentException error = assertThrows(IllegalArgumentException.class,
        () -> defaults().withHeartbeat(Duration.ofSeconds(1), Duration.ofSeconds(1)));
    assertEquals("heartbeatTimeout=1s must be > heartbeatInterval=1s", error.getMessage());
  }
}
