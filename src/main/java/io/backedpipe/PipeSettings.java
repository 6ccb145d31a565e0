package io.backedpipe;

import com.typesafe.config.Config;
import java.time.Duration;
import io.backedpipe.wire.FrameCodec;
import io.backedpipe.wire.LinkLimits;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Immutable, validated settings of one pipe. Defaults come from {@code reference.conf} under
 * {@code backed-pipe}; every value is documented there.
 *
 * <pre>{@code
 * PipeSettings settings = PipeSettings.create(system)   // backed-pipe { ... } of the system's config
 *     .withWindowBytes(4 * 1024 * 1024);
 * }</pre>
 *
 * @param windowBytes the replay window: unacknowledged bytes held before writers are backpressured
 * @param maxFrameBytes the largest data frame handed to a connection, and the largest this side
 *     asks its peer to send (the two agree on the smaller of theirs, per connection)
 * @param readBufferBytes received bytes held for a slow reader; at least the peer's window, so
 *     that the connection is always drained and acknowledgements never wait behind data
 * @param ackEveryBytes acknowledge once this many bytes were delivered since the last ack
 * @param ackInterval acknowledge delivered bytes at the latest after this time
 * @param writeBatchBytes small writes from a Sink are joined up to this size per actor message
 * @param reconnect when to try again after a connection is lost
 * @param ackStallTimeout how long bytes may wait on a connection without any acknowledgement
 *     progress before the pipe publishes {@link PipeEvent.PeerStalled}; zero turns the watch off
 */
public record PipeSettings(
    int windowBytes,
    int maxFrameBytes,
    int readBufferBytes,
    int ackEveryBytes,
    Duration ackInterval,
    int writeBatchBytes,
    ReconnectPolicy reconnect,
    Duration ackStallTimeout) {

  /**
   * Validates the values.
   *
   * @param windowBytes see the record's description
   * @param maxFrameBytes see the record's description
   * @param readBufferBytes see the record's description
   * @param ackEveryBytes see the record's description
   * @param ackInterval see the record's description
   * @param writeBatchBytes see the record's description
   * @param reconnect see the record's description
   * @param ackStallTimeout see the record's description
   * @throws IllegalArgumentException when a value is out of range
   */
  public PipeSettings {
    Require.argument(windowBytes > 0, "windowBytes", windowBytes, "must be > 0");
    Require.argument(maxFrameBytes > 0 && maxFrameBytes <= FrameCodec.MAX_DATA_BYTES,
        "maxFrameBytes", maxFrameBytes, "must be in [1, " + FrameCodec.MAX_DATA_BYTES + "]");
    // The reader must hold a whole peer window, or data can block the acks behind it (deadlock).
    Require.argument(readBufferBytes >= windowBytes, "readBufferBytes", readBufferBytes,
        "must be >= windowBytes");
    // Acks must come before the window fills, or both sides wait for each other.
    Require.argument(
        ackEveryBytes > 0 && ackEveryBytes <= windowBytes / 2,
        "ackEveryBytes", ackEveryBytes, "must be in [1, windowBytes/2]");
    Require.argument(
        ackInterval.compareTo(Duration.ZERO) > 0, "ackInterval", ackInterval, "must be > 0");
    Require.argument(writeBatchBytes > 0, "writeBatchBytes", writeBatchBytes, "must be > 0");
    Require.argument(reconnect != null, "reconnect", reconnect, "must not be null");
    Require.argument(!ackStallTimeout.isNegative(), "ackStallTimeout", ackStallTimeout,
        "must be >= 0");
  }

  /**
   * Reads the settings from the {@code backed-pipe} section of the actor system's configuration.
   *
   * @param system the actor system
   * @return the settings
   */
  public static PipeSettings create(ActorSystem<?> system) {
    return fromConfig(system.settings().config().getConfig("backed-pipe"));
  }

  /**
   * Reads the settings from a {@code backed-pipe} section.
   *
   * @param config the section (the content of {@code backed-pipe { ... }})
   * @return the settings
   */
  public static PipeSettings fromConfig(Config config) {
    Config r = config.getConfig("reconnect");
    ReconnectPolicy policy =
        new ReconnectPolicy(
            r.getDuration("min-backoff"),
            r.getDuration("max-backoff"),
            r.getDouble("backoff-factor"),
            r.getDouble("jitter"),
            r.getInt("max-attempts"),
            r.getDuration("give-up-after"),
            r.getDuration("attempt-timeout"),
            r.getDuration("stable-after"));
    return new PipeSettings(
        bytes(config, "window-bytes"),
        bytes(config, "max-frame-bytes"),
        bytes(config, "read-buffer-bytes"),
        bytes(config, "ack-every-bytes"),
        config.getDuration("ack-interval"),
        bytes(config, "write-batch-bytes"),
        policy,
        config.getDuration("ack-stall-timeout"));
  }

  private static int bytes(Config config, String path) {
    long value = config.getBytes(path);
    if (value > Integer.MAX_VALUE) {
      throw new IllegalArgumentException(path + "=" + value + " must be < 2GiB");
    }
    return (int) value;
  }

  /**
   * What a pipe with these settings tells its peer in every handshake.
   *
   * @return the frame size, window and read buffer as {@link LinkLimits}
   */
  public LinkLimits linkLimits() {
    return new LinkLimits(maxFrameBytes, windowBytes, readBufferBytes);
  }

  /**
   * A copy with another window size; the read buffer grows to match it if smaller, and the ack
   * threshold shrinks to half of it if larger.
   *
   * @param windowBytes the replay window in bytes
   * @return the new settings
   */
  public PipeSettings withWindowBytes(int windowBytes) {
    return new PipeSettings(
        windowBytes, maxFrameBytes, Math.max(readBufferBytes, windowBytes),
        Math.min(ackEveryBytes, windowBytes / 2), ackInterval, writeBatchBytes, reconnect,
        ackStallTimeout);
  }

  /**
   * A copy with another largest data frame.
   *
   * @param maxFrameBytes the largest data frame
   * @return the new settings
   */
  public PipeSettings withMaxFrameBytes(int maxFrameBytes) {
    return new PipeSettings(
        windowBytes, maxFrameBytes, readBufferBytes, ackEveryBytes, ackInterval, writeBatchBytes,
        reconnect, ackStallTimeout);
  }

  /**
   * A copy with another read buffer.
   *
   * @param readBufferBytes received bytes held for a slow reader
   * @return the new settings
   */
  public PipeSettings withReadBufferBytes(int readBufferBytes) {
    return new PipeSettings(
        windowBytes, maxFrameBytes, readBufferBytes, ackEveryBytes, ackInterval, writeBatchBytes,
        reconnect, ackStallTimeout);
  }

  /**
   * A copy with other acknowledgement coalescing.
   *
   * @param ackEveryBytes bytes delivered between acks
   * @param ackInterval the longest delay of an ack
   * @return the new settings
   */
  public PipeSettings withAcks(int ackEveryBytes, Duration ackInterval) {
    return new PipeSettings(
        windowBytes, maxFrameBytes, readBufferBytes, ackEveryBytes, ackInterval, writeBatchBytes,
        reconnect, ackStallTimeout);
  }

  /**
   * A copy with another write batch size.
   *
   * @param writeBatchBytes the largest batch of joined small writes
   * @return the new settings
   */
  public PipeSettings withWriteBatchBytes(int writeBatchBytes) {
    return new PipeSettings(
        windowBytes, maxFrameBytes, readBufferBytes, ackEveryBytes, ackInterval, writeBatchBytes,
        reconnect, ackStallTimeout);
  }

  /**
   * A copy with another reconnect policy.
   *
   * @param reconnect the policy
   * @return the new settings
   */
  public PipeSettings withReconnect(ReconnectPolicy reconnect) {
    return new PipeSettings(
        windowBytes, maxFrameBytes, readBufferBytes, ackEveryBytes, ackInterval, writeBatchBytes,
        reconnect, ackStallTimeout);
  }

  /**
   * A copy with another ack stall timeout.
   *
   * @param ackStallTimeout how long bytes may wait without acknowledgement progress before
   *     {@link PipeEvent.PeerStalled}; zero turns the watch off
   * @return the new settings
   */
  public PipeSettings withAckStallTimeout(Duration ackStallTimeout) {
    return new PipeSettings(
        windowBytes, maxFrameBytes, readBufferBytes, ackEveryBytes, ackInterval, writeBatchBytes,
        reconnect, ackStallTimeout);
  }
}
