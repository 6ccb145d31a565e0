package io.backedpipe.wire;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.time.Duration;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/** Durations and addresses as a person writes them, never {@code PT5S} or {@code /<unresolved>}. */
class HumanTextTest {

  @ParameterizedTest
  @CsvSource({
      "0,             0s",
      "7,             7ns",
      "850000,        850us",
      "1000000,       1ms",
      "8509700,       8.5ms",
      "250000000,     250ms",
      "999000000,     999ms",
      "1000000000,    1s",
      "1500000000,    1.5s",
      "1080206511,    1.08s",
      "5000000000,    5s",
      "59999000000,   59.999s",
      "60000000000,   1m",
      "150000000000,  2m30s",
      "90500000000,   1m30.5s",
      "3600000000000, 1h",
      "3905000000000, 1h5m5s",
      "93600000000000, 26h",
      "-5000000000,   -5s",
  })
  void shouldWriteADurationInTheLargestUnitsThatFit(long nanos, String text) {
    assertEquals(text, HumanText.duration(Duration.ofNanos(nanos)));
  }

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1,   7200, 127.0.0.1:7200",
      "example.org, 7000, example.org:7000",
      "::1,         7200, [::1]:7200",
      "0:0:0:0:0:0:0:1, 7200, [::1]:7200",
      "2001:db8:0:0:0:0:2:1, 443, [2001:db8::2:1]:443",
  })
  void shouldWriteAnUnresolvedAddressAsHostColonPort(String host, int port, String text) {
    assertEquals(text, HumanText.address(InetSocketAddress.createUnresolved(host, port)));
  }

  @ParameterizedTest
  @CsvSource({
      "127.0.0.1,       7200, 127.0.0.1:7200",
      "::1,             7200, [::1]:7200",
      "fe80:0:0:0:1:0:0:0, 1, [fe80::1:0:0:0]:1",
  })
  void shouldWriteAResolvedAddressWithoutItsSlash(String ip, int port, String text)
      throws UnknownHostException {
    InetSocketAddress address = new InetSocketAddress(InetAddress.getByName(ip), port);
    assertEquals(text, HumanText.address(address));
  }

  @ParameterizedTest
  @CsvSource({
      "10.0.0.1,        10.0.0.1",
      "0:0:0:0:0:0:0:1, ::1",
      "2001:db8:0:0:1:0:0:1, 2001:db8::1:0:0:1",
  })
  void shouldWriteAnIpAddressWithoutItsSlash(String ip, String text) throws UnknownHostException {
    assertEquals(text, HumanText.ip(InetAddress.getByName(ip)));
  }
}
