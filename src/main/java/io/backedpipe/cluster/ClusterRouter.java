package io.backedpipe.cluster;

import io.backedpipe.Completions;
import io.backedpipe.Connection;
import io.backedpipe.server.AcceptAnswers;
import io.backedpipe.server.RateLimitedLog;
import io.backedpipe.transport.SharedSecret;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HandshakeStatus;
import io.backedpipe.wire.LinkLimits;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SinkRef;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;

/**
 * The accepting side of a cluster node: checks every HELLO this node's port receives (version,
 * then the shared secret's proof, before anything about the stream), then finds the stream's
 * {@link PipeEntity} through sharding and attaches the connection to it. An entity on this node
 * gets the connection itself; one on another node gets its frames as stream refs, and the bytes
 * cross the cluster through Artery from then on.
 */
final class ClusterRouter {
  private ClusterRouter() {}

  /** How long one {@code Locate} may take before it is sent again. */
  private static final Duration LOCATE_TRY = Duration.ofSeconds(1);

  /** The least time between two log lines about refused HELLOs of one kind. */
  private static final Duration LOG_EVERY = Duration.ofSeconds(10);

  /** The router's protocol. */
  sealed interface Command {}

  /**
   * A client finished its HELLO on this node's port.
   *
   * @param nonce the nonce of the connection's CHALLENGE
   * @param hello the HELLO
   * @param connection the connection, started and waiting for its pipe
   * @param welcome completed with the answer to send
   * @param client the client's address
   */
  record Route(ByteString nonce, Frame.Hello hello, Connection connection,
      CompletableFuture<Frame.Welcome> welcome, InetSocketAddress client) implements Command {}

  /** Refuse every HELLO from now on: the node stops serving. */
  enum Stop implements Command {
    /** The only instance. */
    INSTANCE
  }

  /** What the router needs of its node. */
  record Node(Function<String, EntityRef<PipeEntity.Command>> entities,
      Optional<SharedSecret> secret, Duration askTimeout, Duration grace, LinkLimits limits) {}

  /**
   * Creates the router of one node.
   *
   * @param node the node's entities, secret and answers
   * @return the behaviour
   */
  static Behavior<Command> create(Node node) {
    return Behaviors.setup(context -> routing(node, context.getSystem(),
        Materializer.matFromSystem(context.getSystem()), new RateLimitedLog(LOG_EVERY)));
  }

  private static Behavior<Command> routing(Node node, ActorSystem<?> system,
      Materializer materializer, RateLimitedLog unproven) {
    return Behaviors.receive(Command.class)
        .onMessage(Route.class, route -> {
          Frame.Hello hello = route.hello();
          if (hello.version() != TcpReconnector.VERSION) {
            refuse(node, route, materializer, HandshakeStatus.VERSION_UNSUPPORTED,
                "supported=" + TcpReconnector.VERSION);
          } else if (node.secret().isPresent()
              && !node.secret().get().verifies(route.nonce(), hello)) {
            // Before anything about the stream: an unproven HELLO learns nothing, touches nothing.
            unproven.admit(System.nanoTime()).ifPresent(held -> system.log().info(
                "refused HELLO for stream [{}]: no or a wrong proof of the shared secret ({} more"
                    + " since the last line)", hello.streamId(), held));
            refuse(node, route, materializer, HandshakeStatus.NOT_AUTHORIZED,
                AcceptAnswers.unproven(hello));
          } else {
            attach(node, system, materializer, route);
          }
          return Behaviors.same();
        })
        .onMessageEquals(Stop.INSTANCE, () -> stopped(node, materializer))
        .build();
  }

  private static Behavior<Command> stopped(Node node, Materializer materializer) {
    return Behaviors.receive(Command.class)
        .onMessage(Route.class, route -> {
          refuse(node, route, materializer, HandshakeStatus.LIMIT_REACHED,
              "this node is not serving");
          return Behaviors.same();
        })
        .onMessageEquals(Stop.INSTANCE, Behaviors::same)
        .build();
  }

  /** Finds the entity and attaches; runs off the router's thread from the first answer on. */
  private static void attach(Node node, ActorSystem<?> system, Materializer materializer,
      Route route) {
    EntityRef<PipeEntity.Command> entity = node.entities().apply(route.hello().streamId()
        .toString());
    // The client's handshake timeout runs from before its HELLO: what the cluster does must end
    // well within it, or a refusal that says "retry" would reach nobody.
    long deadlineNs = System.nanoTime() + node.askTimeout().toNanos() * 3 / 4;
    locate(entity, node, deadlineNs)
        .whenComplete((located, error) -> {
          if (error != null) {
            system.log().info("no answer from the cluster for stream [{}] within {}: {}",
                route.hello().streamId(), node.askTimeout(), error.toString());
            refuse(node, route, materializer, HandshakeStatus.LIMIT_REACHED,
                "the cluster did not place the stream in time; retry");
          } else if (located.entity().path().address().hasLocalScope()) {
            located.entity().tell(new PipeEntity.AttachLocal(route.hello(), route.client(),
                route.connection(), route.welcome()));
          } else {
            attachAcross(node, system, materializer, route, located.entity(), deadlineNs);
          }
        });
  }

  /**
   * Asks where the entity is, again every {@link #LOCATE_TRY} until {@code deadlineNs}. A
   * {@code Locate} sent while the entity's shard still lives on a node that died is lost (the
   * region forwards it there until the node is downed and the shard placed again), so one ask of
   * the whole handshake timeout would answer a client whose stream died with its node only after
   * that timeout, and a stream whose shard merely moved would wait as long.
   */
  private static CompletableFuture<PipeEntity.Located> locate(
      EntityRef<PipeEntity.Command> entity, Node node, long deadlineNs) {
    Duration attempt = Duration.ofNanos(Math.min(LOCATE_TRY.toNanos(),
        left(deadlineNs).toNanos()));
    return Completions.direct(entity.<PipeEntity.Located>ask(PipeEntity.Locate::new, attempt))
        .handle((located, error) -> {
          if (located != null) {
            return CompletableFuture.completedFuture(located);
          } else if (System.nanoTime() - deadlineNs >= 0) {
            return CompletableFuture.<PipeEntity.Located>failedFuture(error);
          }
          return locate(entity, node, deadlineNs);
        })
        .thenCompose(located -> located);
  }

  /** Offers the connection's frames as stream refs to an entity on another node. */
  private static void attachAcross(Node node, ActorSystem<?> system, Materializer materializer,
      Route route, ActorRef<PipeEntity.Command> entity, long deadlineNs) {
    Pair<SinkRef<Frame>, SourceRef<Frame>> refs =
        StreamRefs.<Frame>sinkRef()
            .via(route.connection().frames())
            .toMat(StreamRefs.<Frame>sourceRef(), Keep.both())
            .run(materializer);
    Completions.direct(AskPattern.<PipeEntity.Command, Frame.Welcome>ask(entity,
            replyTo -> new PipeEntity.AttachRemote(route.hello(), route.client(), refs.second(),
                refs.first(), replyTo), left(deadlineNs), system.scheduler()))
        .whenComplete((welcome, error) -> {
          if (welcome != null) {
            route.welcome().complete(welcome);
          } else {
            system.log().info("no answer from the node hosting stream [{}]: {}",
                route.hello().streamId(), error.toString());
            route.welcome().complete(AcceptAnswers.refused(HandshakeStatus.LIMIT_REACHED,
                "the node hosting the stream did not answer in time; retry", node.grace(),
                node.limits()));
          }
        });
  }

  /** What is left until {@code deadlineNs}, at least a little: an ask needs a timeout. */
  private static Duration left(long deadlineNs) {
    return Duration.ofNanos(Math.max(TimeUnit.MILLISECONDS.toNanos(100),
        deadlineNs - System.nanoTime()));
  }

  private static void refuse(Node node, Route route, Materializer materializer,
      HandshakeStatus status, String detail) {
    route.connection().discard(materializer);
    route.welcome().complete(AcceptAnswers.refused(status, detail, node.grace(), node.limits()));
  }
}
