package io.backedpipe.tunnel;

import com.typesafe.config.Config;
import io.backedpipe.tunnel.mux.MuxCodec;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * How a tunnel multiplexes its streams over its one pipe: {@code backed-pipe.tunnel} in the
 * configuration.
 *
 * @param streamWindow the bytes of one stream a side takes ahead of its TCP connection, per
 *     direction ({@code >=} {@link MuxCodec#INITIAL_CREDIT})
 * @param maxStreams the most streams one tunnel connection carries at once ({@code >= 1})
 * @param maxTunnelBuffer the most bytes all the streams of one tunnel connection may take beyond
 *     the first {@link MuxCodec#INITIAL_CREDIT} of each ({@code >= 0}); a stream opened when the
 *     others take it all gets a smaller window, for as long as it lives
 */
public record TunnelSettings(int streamWindow, int maxStreams, long maxTunnelBuffer) {
  /** Checks the values. */
  public TunnelSettings {
    if (streamWindow < MuxCodec.INITIAL_CREDIT) {
      throw new IllegalArgumentException("backed-pipe.tunnel.stream-window must be at least "
          + MuxCodec.INITIAL_CREDIT + " bytes, was " + streamWindow);
    }
    if (maxTunnelBuffer < 0) {
      throw new IllegalArgumentException("backed-pipe.tunnel.max-tunnel-buffer must not be"
          + " negative, was " + maxTunnelBuffer);
    }
    if (maxStreams < 1) {
      throw new IllegalArgumentException("backed-pipe.tunnel.max-streams must be at least 1, was "
          + maxStreams);
    }
  }

  /**
   * Reads {@code backed-pipe.tunnel}.
   *
   * @param system the actor system whose configuration is read
   * @return the settings
   */
  public static TunnelSettings create(ActorSystem<?> system) {
    return fromConfig(system.settings().config().getConfig("backed-pipe.tunnel"));
  }

  /**
   * Reads the settings from a {@code backed-pipe.tunnel} section.
   *
   * @param config the section
   * @return the settings
   */
  public static TunnelSettings fromConfig(Config config) {
    long window = config.getBytes("stream-window");
    if (window > Integer.MAX_VALUE) {
      throw new IllegalArgumentException("backed-pipe.tunnel.stream-window must be below 2 GiB,"
          + " was " + window);
    }
    return new TunnelSettings((int) window, config.getInt("max-streams"),
        config.getBytes("max-tunnel-buffer"));
  }
}
