package io.backedpipe;

import io.backedpipe.testing.InMemoryReconnector;
import io.backedpipe.testing.TestLink;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.japi.Pair;

/** Connected pipe pairs over in-memory links, for the tests of the public handle. */
final class ConnectedPairs {
  private static final AtomicInteger NAMES = new AtomicInteger();

  private ConnectedPairs() {}

  /**
   * Spawns an accepting pipe and a client that dials it, and connects the client.
   *
   * @param testKit where both are spawned
   * @return the client and the accepting pipe
   * @throws Exception if the client does not connect within 5 s
   */
  static Pair<BackedPipe, BackedPipe> connected(ActorTestKit testKit) throws Exception {
    PipeSettings settings = PipeSettings.create(testKit.system());
    int n = NAMES.getAndIncrement();
    BackedPipe server = BackedPipe.spawnAccepting(testKit.system(), "server-" + n, settings);
    TestProbe<TestLink> links = testKit.createTestProbe();
    BackedPipe client = BackedPipe.spawn(testKit.system(), "client-" + n,
        new InMemoryReconnector(testKit.system(), server.ref(), links.ref()), settings);
    client.connect().toCompletableFuture().get(5, TimeUnit.SECONDS);
    return Pair.create(client, server);
  }
}
