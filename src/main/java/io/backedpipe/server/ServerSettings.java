package io.backedpipe.server;

import com.typesafe.config.Config;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Limits of a {@link PipeServer}, from {@code backed-pipe.server} (documented in
 * {@code reference.conf}).
 *
 * @param createOnFirstContact whether a HELLO that asks to create an unknown stream may
 * @param maxPipes the most pipes hosted at once
 * @param maxTotalWindowBytes the most replay-window bytes all pipes may reserve together
 * @param grace how long a pipe whose client is gone is kept
 * @param acceptBacklog connections the kernel may queue for the server before it accepts them
 */
public record ServerSettings(boolean createOnFirstContact, int maxPipes,
    long maxTotalWindowBytes, Duration grace, int acceptBacklog) {

  /**
   * Validates the values.
   *
   * @param createOnFirstContact see the record's description
   * @param maxPipes see the record's description
   * @param maxTotalWindowBytes see the record's description
   * @param grace see the record's description
   * @param acceptBacklog see the record's description
   * @throws IllegalArgumentException when a value is out of range
   */
  public ServerSettings {
    if (maxPipes <= 0) {
      throw new IllegalArgumentException("maxPipes=" + maxPipes + " must be > 0");
    }
    if (grace.isNegative() || grace.isZero()) {
      throw new IllegalArgumentException("grace=" + grace + " must be > 0");
    }
    if (acceptBacklog <= 0) {
      throw new IllegalArgumentException("acceptBacklog=" + acceptBacklog + " must be > 0");
    }
  }

  /**
   * Reads the settings of the actor system's configuration.
   *
   * @param system the actor system
   * @return the settings
   */
  public static ServerSettings create(ActorSystem<?> system) {
    return fromConfig(system.settings().config().getConfig("backed-pipe"));
  }

  /**
   * Reads the settings from a {@code backed-pipe} section.
   *
   * @param config the section (the content of {@code backed-pipe { ... }})
   * @return the settings
   */
  public static ServerSettings fromConfig(Config config) {
    Config c = config.getConfig("server");
    return new ServerSettings(c.getBoolean("create-on-first-contact"), c.getInt("max-pipes"),
        c.getBytes("max-total-window-bytes"), c.getDuration("grace-period"),
        c.getInt("accept-backlog"));
  }

  /**
   * A copy with another pipe limit.
   *
   * @param maxPipes the most pipes at once
   * @return the new settings
   */
  public ServerSettings withMaxPipes(int maxPipes) {
    return new ServerSettings(createOnFirstContact, maxPipes, maxTotalWindowBytes, grace,
        acceptBacklog);
  }

  /**
   * A copy with another grace period.
   *
   * @param grace how long a pipe whose client is gone is kept
   * @return the new settings
   */
  public ServerSettings withGrace(Duration grace) {
    return new ServerSettings(createOnFirstContact, maxPipes, maxTotalWindowBytes, grace,
        acceptBacklog);
  }
}
