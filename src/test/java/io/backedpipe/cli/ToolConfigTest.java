package io.backedpipe.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Map;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The tool's own configuration (the top-level {@code application.conf}, bundled in the jar). */
class ToolConfigTest {

  /**
   * Issue 13: with Pekko's TCP connection actors on the internal dispatcher, every read and write
   * of a tunnel's TCP streams crossed two thread pools, each hop waiting for a parked thread to
   * wake; a 1-byte round trip through the tunnel took about twice as long. Both the file read
   * from the working directory and the copy bundled in the jar must keep them together.
   */
  @Test
  void shouldRunTcpConnectionActorsOnTheStreamsDispatcher() {
    Config fromWorkingDirectory = ToolConfig.load(Optional.empty(), Map.of());
    Config bundled = ConfigFactory.parseResources(ToolConfig.class, ToolConfig.BUNDLED)
        .withFallback(ConfigFactory.defaultReference()).resolve();
    for (Config config : new Config[] {fromWorkingDirectory, bundled}) {
      assertEquals(config.getString("pekko.stream.materializer.dispatcher"),
          config.getString("pekko.io.tcp.worker-dispatcher"));
    }
  }
}
