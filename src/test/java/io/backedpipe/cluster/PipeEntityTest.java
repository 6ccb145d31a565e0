package io.backedpipe.cluster;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeCommand;
import io.backedpipe.PipeSettings;
import io.backedpipe.PipeState;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.testing.TestLink;
import io.backedpipe.testing.TestPeer;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HandshakeStatus;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.FishingOutcomes;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * One stream's entity without a cluster: its shard and its node's quota are probes, and its
 * connections in-memory links whose far end the test plays.
 */
class PipeEntityTest {
  private static final ActorTestKit testKit = ActorTestKit.create();
  private static final Duration TIMEOUT = Duration.ofSeconds(5);
  private static final InetSocketAddress CLIENT = new InetSocketAddress("127.0.0.1", 40000);

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  /** An entity with its probes. */
  private static final class Fixture {
    final UUID id = UUID.randomUUID();
    final TestProbe<ClusterSharding.ShardCommand> shard = testKit.createTestProbe();
    final TestProbe<NodeQuota.Command> quota = testKit.createTestProbe();
    final List<BackedPipe> created = new CopyOnWriteArrayList<>();
    final ActorRef<PipeEntity.Command> entity;

    Fixture() {
      this(TIMEOUT);
    }

    Fixture(Duration acceptTimeout) {
      PipeSettings pipeSettings = PipeSettings.create(testKit.system());
      PipeEntity.Host host = new PipeEntity.Host(ServerSettings.create(testKit.system()),
          pipeSettings, acceptTimeout, Duration.ofSeconds(2), quota.ref(),
          (streamId, pipe) -> created.add(pipe));
      entity = testKit.spawn(PipeEntity.create(id, shard.ref(), host));
    }

    Frame.Hello hello(boolean create) {
      return new Frame.Hello(TcpReconnector.VERSION, id, create, 0, 0,
          ByteString.fromArray(new byte[Frame.Hello.NONCE_BYTES]), ByteString.emptyByteString());
    }

    /** Attaches one end of a new link; the test plays the other end. */
    CompletableFuture<Frame.Welcome> attach(boolean create, TestLink link) {
      CompletableFuture<Frame.Welcome> welcome = new CompletableFuture<>();
      entity.tell(new PipeEntity.AttachLocal(hello(create), CLIENT, link.connectionB(0),
          welcome));
      return welcome;
    }

    Frame.Welcome await(CompletableFuture<Frame.Welcome> welcome) throws Exception {
      return welcome.get(TIMEOUT.toSeconds(), TimeUnit.SECONDS);
    }

    void grant() {
      NodeQuota.Reserve reserve = quota.expectMessageClass(NodeQuota.Reserve.class);
      assertEquals(CLIENT.getAddress(), reserve.client());
      reserve.replyTo().tell(new NodeQuota.Reservation(true, ""));
    }

    void expectPassivate() {
      ClusterSharding.ShardCommand command = shard.expectMessageClass(
          ClusterSharding.Passivate.class);
      assertEquals(entity, ((ClusterSharding.Passivate<?>) command).entity());
    }
  }

  @Test
  void shouldAnswerUnknownStreamAndPassivateWhenAskedToResumeAStreamItDoesNotHost()
      throws Exception {
    Fixture f = new Fixture();
    Frame.Welcome welcome = f.await(f.attach(false, TestLink.create(testKit.system())));
    assertEquals(HandshakeStatus.UNKNOWN_STREAM, welcome.status());
    assertTrue(welcome.detail().contains("not hosted by the cluster"), welcome.detail());
    f.expectPassivate();
    f.quota.expectNoMessage(Duration.ofMillis(100)); // nothing reserved, nothing to release
  }

  /**
   * An attach sent straight to an incarnation that is passivating (it answered the client's
   * Locate first) is refused with a retry, and reserves nothing: a pipe it started would be closed
   * by the hand-off on its way.
   */
  @Test
  void shouldRefuseWithRetryAnAttachThatReachesItWhilePassivating() throws Exception {
    Fixture f = new Fixture();
    f.await(f.attach(false, TestLink.create(testKit.system())));
    f.expectPassivate();
    Frame.Welcome retry = f.await(f.attach(true, TestLink.create(testKit.system())));
    assertEquals(HandshakeStatus.LIMIT_REACHED, retry.status());
    assertTrue(retry.detail().contains("stopping; retry"), retry.detail());
    f.quota.expectNoMessage(Duration.ofMillis(100));
    TestProbe<Object> watcher = testKit.createTestProbe();
    f.entity.tell(PipeEntity.HandOff.INSTANCE); // what the shard sends once nothing is on its way
    watcher.expectTerminated(f.entity, TIMEOUT);
  }

  /** A Locate starts an entity; a client that never attaches must not leave it behind. */
  @Test
  void shouldPassivateWhenNoAttachFollowsItsStart() {
    Fixture f = new Fixture(Duration.ofMillis(100));
    TestProbe<PipeEntity.Located> located = testKit.createTestProbe();
    f.entity.tell(new PipeEntity.Locate(located.ref()));
    assertEquals(f.entity, located.receiveMessage().entity());
    f.expectPassivate();
  }

  @Test
  void shouldAnswerLimitReachedAndPassivateWhenTheNodeHasNoRoom() throws Exception {
    Fixture f = new Fixture();
    CompletableFuture<Frame.Welcome> welcome = f.attach(true, TestLink.create(testKit.system()));
    f.quota.expectMessageClass(NodeQuota.Reserve.class).replyTo()
        .tell(new NodeQuota.Reservation(false, "pipes=1000 maxPipes=1000 on this node"));
    Frame.Welcome refused = f.await(welcome);
    assertEquals(HandshakeStatus.LIMIT_REACHED, refused.status());
    assertTrue(refused.detail().contains("maxPipes"), refused.detail());
    f.expectPassivate();
    assertTrue(f.created.isEmpty());
  }

  @Test
  void shouldHostThePipeAndCloseItWithItsReasonWhenTheNodeLeaves() throws Exception {
    Fixture f = new Fixture();
    TestLink link = TestLink.create(testKit.system());
    TestProbe<Frame> client = testKit.createTestProbe();
    TestPeer.attach(testKit.system(), link.sideA(), client.ref());
    CompletableFuture<Frame.Welcome> welcome = f.attach(true, link);
    f.grant();
    assertEquals(HandshakeStatus.OK, f.await(welcome).status());
    assertEquals(1, f.created.size());
    // The OK is sent as the pipe accepts; it attaches the link just after (a hand-off before
    // that closes the pipe with nothing on the link to tell, and the client learns on its next
    // HELLO).
    BackedPipe pipe = f.created.get(0);
    testKit.createTestProbe().awaitAssert(TIMEOUT, () -> {
      assertEquals(PipeState.CONNECTED,
          pipe.status().toCompletableFuture().get(1, TimeUnit.SECONDS).state());
      return null;
    });

    TestProbe<Object> watcher = testKit.createTestProbe();
    f.entity.tell(PipeEntity.HandOff.INSTANCE);
    Frame.Close close = (Frame.Close) client.fishForMessage(TIMEOUT, frame ->
        frame instanceof Frame.Close
            ? FishingOutcomes.complete() : FishingOutcomes.continueAndIgnore())
        .get(0);
    assertEquals(PipeCommand.EXPIRED_CODE, close.code());
    assertTrue(close.reason().contains("leaving the cluster"), close.reason());
    watcher.expectTerminated(f.entity, TIMEOUT);
    f.quota.expectMessage(NodeQuota.Release.INSTANCE);
    f.quota.expectNoMessage(Duration.ofMillis(200)); // released once
  }

  @Test
  void shouldAttachANewerConnectionToTheSamePipe() throws Exception {
    Fixture f = new Fixture();
    TestLink first = TestLink.create(testKit.system());
    TestPeer.attach(testKit.system(), first.sideA(), testKit.<Frame>createTestProbe().ref());
    CompletableFuture<Frame.Welcome> welcome = f.attach(true, first);
    f.grant();
    assertEquals(HandshakeStatus.OK, f.await(welcome).status());

    TestLink second = TestLink.create(testKit.system());
    TestPeer.attach(testKit.system(), second.sideA(), testKit.<Frame>createTestProbe().ref());
    assertEquals(HandshakeStatus.OK, f.await(f.attach(false, second)).status());
    assertEquals(1, f.created.size()); // one pipe, two connections
    f.quota.expectNoMessage(Duration.ofMillis(100)); // one place taken, none released
  }
}
