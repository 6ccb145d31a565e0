package io.backedpipe.transport;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Reading {@code backed-pipe.transport.tls}. */
class TlsSettingsTest {
  private static TlsSettings read(String overrides) {
    Config config = ConfigFactory.parseString(overrides)
        .withFallback(ConfigFactory.defaultReference()).resolve();
    return TlsSettings.fromConfig(config.getConfig("backed-pipe"));
  }

  @Test
  void shouldBeOffByDefaultAndMatchDisabled() {
    assertEquals(TlsSettings.disabled(), read(""));
    assertEquals(List.of("TLSv1.3"), read("").protocols());
    assertTrue(read("").verifyHostname());
  }

  @Test
  void shouldReadEveryKey() {
    TlsSettings tls = read("""
        backed-pipe.transport.tls { enabled = on, key-store = keys.p12, key-store-password = a,
          trust-store = trust.p12, trust-store-password = b, client-auth = Want,
          protocols = [TLSv1.3, TLSv1.2], verify-hostname = off }
        """);
    assertEquals(new TlsSettings(true, Optional.of(Path.of("keys.p12")), "a",
        Optional.of(Path.of("trust.p12")), "b", TlsClientAuth.WANT, List.of("TLSv1.3", "TLSv1.2"),
        false), tls);
  }

  @Test
  void shouldPreferThePasswordFileAndHideEveryPassword(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("pw"), "from-the-file\nsecond line ignored\n");
    TlsSettings tls = read("backed-pipe.transport.tls { key-store-password = inline, "
        + "key-store-password-file = \"" + file + "\", trust-store-password = other }");
    assertEquals("from-the-file", tls.keyStorePassword());
    assertFalse(tls.toString().contains("from-the-file"), tls.toString());
    assertFalse(tls.toString().contains("other"), tls.toString());
  }

  @Test
  void shouldRefuseAnUnknownClientAuthAndNoProtocols() {
    assertEquals("tls.client-auth=maybe must be none, want or need",
        assertThrows(IllegalArgumentException.class,
            () -> read("backed-pipe.transport.tls.client-auth = maybe")).getMessage());
    assertThrows(IllegalArgumentException.class,
        () -> read("backed-pipe.transport.tls.protocols = []"));
  }
}
