package io.backedpipe.transport;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Settings of the TCP transport, from {@code backed-pipe.transport} (documented in
 * {@code reference.conf}), plus the largest data frame from {@code backed-pipe.max-frame-bytes}.
 *
 * @param connectTimeout how long a TCP connect may take
 * @param handshakeTimeout how long the whole handshake may take, on either side
 * @param heartbeatInterval a side that sent nothing for this long sends a PING
 * @param heartbeatTimeout a connection on which nothing arrived for this long is dead
 * @param maxDataBytes the largest DATA payload; both sides must agree
 * @param grace how long the server keeps a disconnected pipe (told to clients in WELCOME)
 */
public record TransportSettings(
    Duration connectTimeout,
    Duration handshakeTimeout,
    Duration heartbeatInterval,
    Duration heartbeatTimeout,
    int maxDataBytes,
    Duration grace) {

  /**
   * Validates the values.
   *
   * @param connectTimeout see the record's description
   * @param handshakeTimeout see the record's description
   * @param heartbeatInterval see the record's description
   * @param heartbeatTimeout see the record's description
   * @param maxDataBytes see the record's description
   * @param grace see the record's description
   * @throws IllegalArgumentException when a value is out of range
   */
  public TransportSettings {
    if (heartbeatTimeout.compareTo(heartbeatInterval) <= 0) {
      throw new IllegalArgumentException("heartbeatTimeout=" + heartbeatTimeout
          + " must be > heartbeatInterval=" + heartbeatInterval);
    }
    if (maxDataBytes <= 0) {
      throw new IllegalArgumentException("maxDataBytes=" + maxDataBytes + " must be > 0");
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
        Math.toIntExact(config.getBytes("max-frame-bytes")),
        config.getDuration("server.grace-period"));
  }

  /**
   * A copy with other heartbeat times.
   *
   * @param interval send a PING after this much silence
   * @param timeout declare the connection dead after this much silence
   * @return the new settings
   */
  public TransportSettings withHeartbeat(Duration interval, Duration timeout) {
    return new TransportSettings(connectTimeout, handshakeTimeout, interval, timeout, maxDataBytes,
        grace);
  }

  /**
   * A copy with another grace period.
   *
   * @param grace how long a disconnected pipe is kept
   * @return the new settings
   */
  public TransportSettings withGrace(Duration grace) {
    return new TransportSettings(connectTimeout, handshakeTimeout, heartbeatInterval,
        heartbeatTimeout, maxDataBytes, grace);
  }
}
