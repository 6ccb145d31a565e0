package io.backedpipe.cli;

import io.backedpipe.wire.HumanText;
import java.net.InetSocketAddress;
import picocli.CommandLine;

/**
 * A {@code HOST:PORT} argument ({@code [::1]:7000} for an IPv6 literal); the host is not resolved
 * here, so a name that does not resolve is reported by the connection that uses it.
 *
 * @param host the host name or address
 * @param port the port, {@code 0..65535}
 */
record HostPort(String host, int port) {

  /**
   * Parses {@code HOST:PORT}.
   *
   * @param text the argument
   * @return the address
   * @throws IllegalArgumentException with a message for the user when it is malformed
   */
  static HostPort parse(String text) {
    int colon = text.lastIndexOf(':');
    if (colon <= 0 || colon == text.length() - 1) {
      throw new IllegalArgumentException("'" + text + "' is not HOST:PORT");
    }
    String host = text.substring(0, colon);
    if (host.startsWith("[") && host.endsWith("]")) {
      host = host.substring(1, host.length() - 1);
    }
    int port;
    try {
      port = Integer.parseInt(text.substring(colon + 1));
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("'" + text + "': the port is not a number");
    }
    if (port < 0 || port > 0xFFFF) {
      throw new IllegalArgumentException("'" + text + "': the port must be in 0..65535");
    }
    return new HostPort(host, port);
  }

  /**
   * The socket address, unresolved until used.
   *
   * @return the address
   */
  InetSocketAddress address() {
    return InetSocketAddress.createUnresolved(host, port);
  }

  @Override
  public String toString() {
    return HumanText.hostPort(host, port);
  }

  /** Lets picocli parse the type, turning a malformed argument into a usage error. */
  static final class Converter implements CommandLine.ITypeConverter<HostPort> {
    @Override
    public HostPort convert(String value) {
      try {
        return parse(value);
      } catch (IllegalArgumentException e) {
        throw new CommandLine.TypeConversionException(e.getMessage());
      }
    }
  }
}
