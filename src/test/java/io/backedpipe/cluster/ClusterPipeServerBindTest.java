package io.backedpipe.cluster;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.backedpipe.PipeSettings;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.transport.TransportSettings;
import java.util.List;
import java.util.Optional;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.Test;

/** What {@link ClusterPipeServer#bind} refuses before it starts anything. */
class ClusterPipeServerBindTest {

  @Test
  void shouldRefuseAnActorSystemThatIsNotACluster() {
    ActorTestKit local = ActorTestKit.create("not-a-cluster");
    try {
      IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () ->
          ClusterPipeServer.bind(local.system(), "127.0.0.1", 0, (id, pipe) -> { }));
      assertTrue(error.getMessage().contains("pekko.actor.provider = cluster"),
          error::getMessage);
    } finally {
      local.shutdownTestKit();
    }
  }

  @Test
  void shouldRefuseFramesThatDoNotFitAnArteryMessage() {
    // A node that has not joined anything: enough to read its settings.
    ActorTestKit node = ActorTestKit.create(ClusterNodeConfig.SYSTEM_NAME,
        ClusterNodeConfig.of("127.0.0.1", 0, List.of())
            .withFallback(ConfigFactory.parseString(
                "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on"))
            .withFallback(ConfigFactory.load()));
    try {
      PipeSettings large = PipeSettings.create(node.system()).withMaxFrameBytes(1024 * 1024);
      IllegalArgumentException error = assertThrows(IllegalArgumentException.class, () ->
          ClusterPipeServer.bind(node.system(), "127.0.0.1", 0,
              ServerSettings.create(node.system()), large,
              TransportSettings.create(node.system()), Optional.empty(), (id, pipe) -> { }));
      assertTrue(error.getMessage().contains("maximum-frame-size"), error::getMessage);
    } finally {
      node.shutdownTestKit();
    }
  }
}
