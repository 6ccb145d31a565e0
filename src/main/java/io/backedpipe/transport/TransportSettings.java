package io.backedpipe.transport;

import com.typesafe.config.Config;
import io.backedpipe.wire.HumanText;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Settings of the TCP transport, from {@code backed-pipe.transport} (documented in
 * {@code reference.conf}), plus the grace period from {@code backed-pipe.server.grace-period}.
 * The frame size, window and read buffer are the pipe's ({@link io.backedpipe.PipeSettings}): each
 * side tells its peer its own in the handshake.
 *
 * @param connectTimeout how long a TCP connect may take
 * @param handshakeTimeout how long the whole handshake may take, on either side
 * @param heartbeatInterval a side that sent nothing for this long sends a PING
 * @param heartbeatTimeout a connection on which nothing arrived for this long is dead
 * @param grace how long the server keeps a disconnected pipe (told to clients in WELCOME)
 * @param tcpNoDelay whether small frames go out at once (Nagle's algorithm off)
 * @param sendBufferBytes the kernel's send buffer, 0 for the system's default
 * @param receiveBufferBytes the kernel's receive buffer, 0 for the system's default
 * @param secret the shared secret: a client proves it in every HELLO, a server with one refuses
 *     HELLOs without the proof ({@code NOT_AUTHORIZED}); empty for none
 */
public record TransportSettings(
    Duration connectTimeout,
    Duration handshakeTimeout,
    Duration heartbeatInterval,
    Duration heartbeatTimeout,
    Duration grace,
    boolean tcpNoDelay,
    int sendBufferBytes,
    int receiveBufferBytes,
    Optional<SharedSecret> secret) {

  /**
   * Validates the values.
   *
   * @param connectTimeout see the record's description
   * @param handshakeTimeout see the record's description
   * @param heartbeatInterval see the record's description
   * @param heartbeatTimeout see the record's description
   * @param grace see the record's description
   * @param tcpNoDelay see the record's description
   * @param sendBufferBytes see the record's description
   * @param receiveBufferBytes see the record's description
   * @param secret see the record's description
   * @throws IllegalArgumentException when a value is out of range
   */
  public TransportSettings {
    Objects.requireNonNull(secret, "secret");
    if (heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
      throw new IllegalArgumentException("heartbeatTimeout=" + HumanText.duration(heartbeatTimeout)
          + " must be > heartbeatInterval=" + HumanText.duration(heartbeatInterval));
    }
  }

  /**
   * Reads the settings of the actor system's configuration.
   *
   * @param system the actor system
   * @return the settings
   */
  public static TransportSettings create(ActorSystem<?> system) {
    return fromConfig(system.settings().config().getConfig("backed-pipe"));
  }

  /**
   * Reads the settings from a {@code backed-pipe} section.
   *
   * @param config the section
   * @return the settings
   */
  public static TransportSettings fromConfig(Config config) {
    Config t = config.getConfig("transport");
    return new TransportSettings(
        t.getDuration("connect-timeout"),
        t.getDuration("handshake-timeout"),
        t.getDuration("heartbeat-interval"),
        t.getDuration("heartbeat-timeout"),
        config.getDuration("server.grace-period"),
        t.getBoolean("tcp.no-delay"),
        Math.toIntExact(t.getBytes("tcp.send-buffer-size")),
        Math.toIntExact(t.getBytes("tcp.receive-buffer-size")),
        secret(t.getConfig("auth"), System.getenv()));
  }

  /**
   * The secret of an {@code auth} section: from {@code secret-file} or {@code secret-env}, at most
   * one of them set.
   *
   * @param auth the section
   * @param environment the process's environment
   * @return the secret, or empty when neither is set
   * @throws IllegalArgumentException if both are set, or the secret cannot be read
   */
  static Optional<SharedSecret> secret(Config auth, Map<String, String> environment) {
    String file = auth.getString("secret-file");
    String env = auth.getString("secret-env");
    if (!file.isEmpty() && !env.isEmpty()) {
      throw new IllegalArgumentException(
          "backed-pipe.transport.auth: set secret-file or secret-env, not both");
    }
    if (!file.isEmpty()) {
      return Optional.of(SharedSecret.fromFile(Path.of(file)));
    }
    return env.isEmpty() ? Optional.empty()
        : Optional.of(SharedSecret.fromEnvironment(env, environment));
  }

  /**
   * A copy with other heartbeat times.
   *
   * @param interval send a PING after this much silence
   * @param timeout declare the connection dead after this much silence
   * @return the new settings
   */
  public TransportSettings withHeartbeat(Duration interval, Duration timeout) {
    return new TransportSettings(connectTimeout, handshakeTimeout, interval, timeout,
        grace, tcpNoDelay, sendBufferBytes, receiveBufferBytes, secret);
  }

  /**
   * A copy with another handshake timeout.
   *
   * @param handshakeTimeout how long the whole handshake may take, on either side
   * @return the new settings
   */
  public TransportSettings withHandshakeTimeout(Duration handshakeTimeout) {
    return new TransportSettings(connectTimeout, handshakeTimeout, heartbeatInterval,
        heartbeatTimeout, grace, tcpNoDelay, sendBufferBytes, receiveBufferBytes,
        secret);
  }

  /**
   * A copy with another grace period.
   *
   * @param grace how long a disconnected pipe is kept
   * @return the new settings
   */
  public TransportSettings withGrace(Duration grace) {
    return new TransportSettings(connectTimeout, handshakeTimeout, heartbeatInterval,
        heartbeatTimeout, grace, tcpNoDelay, sendBufferBytes, receiveBufferBytes,
        secret);
  }

  /**
   * A copy with a shared secret.
   *
   * @param secret the secret clients prove and servers require
   * @return the new settings
   */
  public TransportSettings withSecret(SharedSecret secret) {
    return new TransportSettings(connectTimeout, handshakeTimeout, heartbeatInterval,
        heartbeatTimeout, grace, tcpNoDelay, sendBufferBytes, receiveBufferBytes,
        Optional.of(secret));
  }

  /**
   * The socket options these settings ask for.
   *
   * @return the options for Pekko's {@code Tcp} connect and bind
   */
  public java.util.List<org.apache.pekko.io.Inet.SocketOption> socketOptions() {
    java.util.List<org.apache.pekko.io.Inet.SocketOption> options = new java.util.ArrayList<>();
    options.add(org.apache.pekko.io.TcpSO.tcpNoDelay(tcpNoDelay));
    if (sendBufferBytes > 0) {
      options.add(org.apache.pekko.io.TcpSO.sendBufferSize(sendBufferBytes));
    }
    if (receiveBufferBytes > 0) {
      options.add(org.apache.pekko.io.TcpSO.receiveBufferSize(receiveBufferBytes));
    }
    return java.util.List.copyOf(options);
  }
}
