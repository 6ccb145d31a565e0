package io.backedpipe.server;

import com.typesafe.config.Config;
import io.backedpipe.wire.HumanText;
import java.time.Duration;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Limits of a {@link PipeServer}, from {@code backed-pipe.server} (documented in
 * {@code reference.conf}).
 *
 * @param createOnFirstContact whether a HELLO that asks to create an unknown stream may
 * @param maxPipes the most pipes hosted at once
 * @param maxTotalBufferBytes the most bytes all pipes may hold together: each pipe counts its
 *     replay window plus its read buffer, what it can really hold
 * @param grace how long a pipe whose client is gone is kept
 * @param acceptBacklog connections the kernel may queue for the server before it accepts them
 * @param maxHandshakes the most connections in their handshake at once, from all addresses; one
 *     more is closed at once
 * @param maxHandshakesPerAddress the most connections in their handshake at once from one source
 *     address; one more is closed at once
 * @param createRatePerAddress streams one source address may create per second, on average
 * @param createBurstPerAddress streams one source address may create at once before the rate
 *     applies
 */
public record ServerSettings(boolean createOnFirstContact, int maxPipes,
    long maxTotalBufferBytes, Duration grace, int acceptBacklog, int maxHandshakes,
    int maxHandshakesPerAddress, double createRatePerAddress, int createBurstPerAddress) {

  /**
   * Validates the values.
   *
   * @param createOnFirstContact see the record's description
   * @param maxPipes see the record's description
   * @param maxTotalBufferBytes see the record's description
   * @param grace see the record's description
   * @param acceptBacklog see the record's description
   * @param maxHandshakes see the record's description
   * @param maxHandshakesPerAddress see the record's description
   * @param createRatePerAddress see the record's description
   * @param createBurstPerAddress see the record's description
   * @throws IllegalArgumentException when a value is out of range
   */
  public ServerSettings {
    if (maxPipes <= 0) {
      throw new IllegalArgumentException("maxPipes=" + maxPipes + " must be > 0");
    }
    if (grace.isNegative() || grace.isZero()) {
      throw new IllegalArgumentException("grace=" + HumanText.duration(grace) + " must be > 0");
    }
    if (acceptBacklog <= 0) {
      throw new IllegalArgumentException("acceptBacklog=" + acceptBacklog + " must be > 0");
    }
    if (maxHandshakes <= 0 || maxHandshakesPerAddress <= 0) {
      throw new IllegalArgumentException("maxHandshakes=" + maxHandshakes
          + " maxHandshakesPerAddress=" + maxHandshakesPerAddress + " must be > 0");
    }
    if (!(createRatePerAddress > 0) || createBurstPerAddress <= 0) { // NaN too
      throw new IllegalArgumentException("createRatePerAddress=" + createRatePerAddress
          + " createBurstPerAddress=" + createBurstPerAddress + " must be > 0");
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
   * Reads the settings from a {@code backed-pipe} section. The old key {@code
   * max-total-window-bytes}, when set, stands for {@code max-total-buffer-bytes}.
   *
   * @param config the section (the content of {@code backed-pipe { ... }})
   * @return the settings
   */
  public static ServerSettings fromConfig(Config config) {
    Config c = config.getConfig("server");
    String total = c.hasPath("max-total-window-bytes") ? "max-total-window-bytes"
        : "max-total-buffer-bytes";
    return new ServerSettings(c.getBoolean("create-on-first-contact"), c.getInt("max-pipes"),
        c.getBytes(total), c.getDuration("grace-period"), c.getInt("accept-backlog"),
        c.getInt("max-handshakes"), c.getInt("max-handshakes-per-address"),
        c.getDouble("create-rate-per-address"), c.getInt("create-burst-per-address"));
  }

  /**
   * A copy with another pipe limit.
   *
   * @param maxPipes the most pipes at once
   * @return the new settings
   */
  public ServerSettings withMaxPipes(int maxPipes) {
    return new ServerSettings(createOnFirstContact, maxPipes, maxTotalBufferBytes, grace,
        acceptBacklog, maxHandshakes, maxHandshakesPerAddress, createRatePerAddress,
        createBurstPerAddress);
  }

  /**
   * A copy with another limit on the bytes all pipes may hold.
   *
   * @param maxTotalBufferBytes the most window plus read-buffer bytes of all pipes together
   * @return the new settings
   */
  public ServerSettings withMaxTotalBufferBytes(long maxTotalBufferBytes) {
    return new ServerSettings(createOnFirstContact, maxPipes, maxTotalBufferBytes, grace,
        acceptBacklog, maxHandshakes, maxHandshakesPerAddress, createRatePerAddress,
        createBurstPerAddress);
  }

  /**
   * A copy with another grace period.
   *
   * @param grace how long a pipe whose client is gone is kept
   * @return the new settings
   */
  public ServerSettings withGrace(Duration grace) {
    return new ServerSettings(createOnFirstContact, maxPipes, maxTotalBufferBytes, grace,
        acceptBacklog, maxHandshakes, maxHandshakesPerAddress, createRatePerAddress,
        createBurstPerAddress);
  }

  /**
   * A copy with other caps on handshakes in progress.
   *
   * @param maxHandshakes the most at once from all addresses
   * @param maxHandshakesPerAddress the most at once from one source address
   * @return the new settings
   */
  public ServerSettings withMaxHandshakes(int maxHandshakes, int maxHandshakesPerAddress) {
    return new ServerSettings(createOnFirstContact, maxPipes, maxTotalBufferBytes, grace,
        acceptBacklog, maxHandshakes, maxHandshakesPerAddress, createRatePerAddress,
        createBurstPerAddress);
  }

  /**
   * A copy with another limit on how fast one source address may create streams.
   *
   * @param createRatePerAddress streams per second, on average
   * @param createBurstPerAddress streams at once before the rate applies
   * @return the new settings
   */
  public ServerSettings withCreateRate(double createRatePerAddress, int createBurstPerAddress) {
    return new ServerSettings(createOnFirstContact, maxPipes, maxTotalBufferBytes, grace,
        acceptBacklog, maxHandshakes, maxHandshakesPerAddress, createRatePerAddress,
        createBurstPerAddress);
  }
}
