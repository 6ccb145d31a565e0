package io.backedpipe.wire;

import java.math.BigDecimal;
import java.math.RoundingMode;
import java.net.Inet6Address;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.time.Duration;

/**
 * Renders durations and socket addresses the way a person writes them, for log lines, error
 * messages, help texts and verdicts: {@code 5s}, {@code 1.5s}, {@code 250ms}, {@code 2m30s}
 * instead of {@code PT5S}, and {@code 127.0.0.1:7200} or {@code [::1]:7200} instead of {@code
 * 127.0.0.1/<unresolved>:7200}. The one formatter of both for the library and the tool.
 *
 * <p>Pure and stateless.
 *
 * <pre>
 * HumanText.duration(Duration.ofMillis(2500))                         // 2.5s
 * HumanText.address(InetSocketAddress.createUnresolved("::1", 7200))  // [::1]:7200
 * </pre>
 */
public final class HumanText {
  private static final long NANOS_PER_MICRO = 1_000;
  private static final long NANOS_PER_MILLI = 1_000_000;
  private static final long NANOS_PER_SECOND = 1_000_000_000;

  private HumanText() {}

  /**
   * A duration in the largest units that fit, seconds with at most three decimals.
   *
   * <p>Below a second: {@code 250ms}, {@code 8.5ms} (one decimal), {@code 850us}, {@code 7ns}.
   * Below a minute: {@code 5s}, {@code 1.5s}, {@code 1.08s}. Above: {@code 2m}, {@code 2m30s},
   * {@code 1h5m}, {@code 26h} (no days: a day is not always 24 hours to a reader). Zero is
   * {@code 0s}; a negative duration gets a {@code -} before it.
   *
   * @param duration the duration, not null
   * @return the text
   */
  public static String duration(Duration duration) {
    if (duration.isNegative()) {
      return "-" + duration(duration.negated());
    }
    if (duration.isZero()) {
      return "0s";
    }
    if (duration.compareTo(Duration.ofSeconds(1)) < 0) {
      long nanos = duration.toNanos();
      if (nanos >= NANOS_PER_MILLI) {
        return decimal(nanos, NANOS_PER_MILLI, nanos >= 100 * NANOS_PER_MILLI ? 0 : 1) + "ms";
      }
      return nanos >= NANOS_PER_MICRO ? nanos / NANOS_PER_MICRO + "us" : nanos + "ns";
    }
    // seconds to the millisecond: what a log reader can use
    long millis = duration.toMillis();
    long hours = millis / 3_600_000;
    long minutes = millis / 60_000 % 60;
    long secondMillis = millis % 60_000;
    StringBuilder text = new StringBuilder();
    if (hours > 0) {
      text.append(hours).append('h');
    }
    if (minutes > 0) {
      text.append(minutes).append('m');
    }
    if (secondMillis > 0 || text.length() == 0) {
      text.append(decimal(secondMillis * NANOS_PER_MILLI, NANOS_PER_SECOND, 3)).append('s');
    }
    return text.toString();
  }

  /** {@code value / unit} rounded half up to {@code decimals}, without trailing zeros. */
  private static String decimal(long value, long unit, int decimals) {
    return BigDecimal.valueOf(value)
        .divide(BigDecimal.valueOf(unit), decimals, RoundingMode.HALF_UP)
        .stripTrailingZeros()
        .toPlainString();
  }

  /**
   * A socket address as {@code host:port}: the host as it was given (a name stays a name, and an
   * unresolved address prints no {@code /<unresolved>}), else the IP address; an IPv6 address in
   * brackets and shortened ({@code [::1]:7200}).
   *
   * @param address the address, or {@code null}
   * @return the text; {@code null} renders as {@code null}
   */
  public static String address(InetSocketAddress address) {
    if (address == null) {
      return "null";
    }
    return hostPort(address.getHostString(), address.getPort());
  }

  /**
   * An IP address without the {@code /} that {@link InetAddress#toString()} puts before it, an
   * IPv6 address shortened ({@code ::1}) but not bracketed.
   *
   * @param ip the address, or {@code null}
   * @return the text; {@code null} renders as {@code null}
   */
  public static String ip(InetAddress ip) {
    if (ip == null) {
      return "null";
    }
    return ip instanceof Inet6Address ? shortIpv6(ip.getHostAddress()) : ip.getHostAddress();
  }

  /**
   * {@code host:port}, the host in brackets when it is an IPv6 literal.
   *
   * @param host a host name or an address literal
   * @param port the port
   * @return the text
   */
  public static String hostPort(String host, int port) {
    return host.indexOf(':') >= 0 ? "[" + shortIpv6(host) + "]:" + port : host + ":" + port;
  }

  /**
   * Shortens a full IPv6 literal as RFC 5952 does: leading zeros dropped, the longest run of two or
   * more zero groups written {@code ::}. A literal already short, or not IPv6, comes back as it was.
   */
  static String shortIpv6(String literal) {
    int percent = literal.indexOf('%');
    String scope = percent >= 0 ? literal.substring(percent) : "";
    String body = percent >= 0 ? literal.substring(0, percent) : literal;
    if (body.contains("::") || body.contains(".")) {
      return literal;
    }
    String[] groups = body.split(":", -1);
    if (groups.length != 8) {
      return literal;
    }
    int bestStart = -1;
    int bestLength = 1; // a single zero group stays "0"
    for (int i = 0; i < 8; i++) {
      int j = i;
      while (j < 8 && isZero(groups[j])) {
        j++;
      }
      if (j - i > bestLength) {
        bestStart = i;
        bestLength = j - i;
      }
      i = Math.max(i, j);
    }
    StringBuilder out = new StringBuilder();
    for (int i = 0; i < 8; i++) {
      if (i == bestStart) {
        out.append("::");
        i += bestLength - 1;
        continue;
      }
      if (out.length() > 0 && out.charAt(out.length() - 1) != ':') {
        out.append(':');
      }
      out.append(groups[i].replaceFirst("^0+(?=.)", "").toLowerCase(java.util.Locale.ROOT));
    }
    return out.append(scope).toString();
  }

  private static boolean isZero(String group) {
    return !group.isEmpty() && group.chars().allMatch(c -> c == '0');
  }
}
