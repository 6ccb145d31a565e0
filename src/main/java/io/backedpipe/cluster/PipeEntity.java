package io.backedpipe.cluster;

import io.backedpipe.BackedPipe;
import io.backedpipe.Completions;
import io.backedpipe.Connection;
import io.backedpipe.DisconnectCause;
import io.backedpipe.PipeCommand;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.ResumePoint;
import io.backedpipe.server.AcceptAnswers;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.HandshakeStatus;
import io.backedpipe.wire.HumanText;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.OptionalInt;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.function.BiConsumer;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.BehaviorBuilder;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.StashBuffer;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.SinkRef;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * The sharded entity of one stream id: hosts that stream's pipe on whichever node of the cluster
 * sharding placed it, and attaches every connection a client makes to it, whatever node the
 * client reached.
 *
 * <p>States, one method each:
 *
 * <table>
 *   <caption>Transitions</caption>
 *   <tr><th>state</th><th>message</th><th>next</th></tr>
 *   <tr><td>vacant</td><td>attach with create, the node has room</td><td>reserving</td></tr>
 *   <tr><td>vacant</td><td>attach without create</td><td>passivating (UNKNOWN_STREAM)</td></tr>
 *   <tr><td>vacant</td><td>no attach for twice the accept timeout</td><td>passivating</td></tr>
 *   <tr><td>reserving</td><td>quota granted</td><td>hosting</td></tr>
 *   <tr><td>reserving</td><td>quota refused</td><td>passivating (LIMIT_REACHED)</td></tr>
 *   <tr><td>hosting</td><td>pipe closed, completed</td><td>completed</td></tr>
 *   <tr><td>hosting</td><td>pipe closed otherwise</td><td>lingering</td></tr>
 *   <tr><td>hosting</td><td>pipe actor stopped without closing</td><td>passivating</td></tr>
 *   <tr><td>hosting</td><td>hand-off (the node leaves)</td><td>leaving</td></tr>
 *   <tr><td>leaving</td><td>pipe closed, or the leave timeout</td><td>stopped</td></tr>
 *   <tr><td>lingering</td><td>2 s, its last CLOSE flushed</td><td>passivating</td></tr>
 *   <tr><td>completed</td><td>the grace period</td><td>passivating</td></tr>
 *   <tr><td>passivating</td><td>attach (sent straight to it)</td><td>same (LIMIT_REACHED,
 *     retry)</td></tr>
 *   <tr><td>any but hosting</td><td>hand-off (passivation's or the node's)</td><td>stopped</td></tr>
 * </table>
 *
 * <p>A stopped entity remembers nothing: a later HELLO without {@code create} for its id is
 * answered {@code UNKNOWN_STREAM}, which is also what a client gets when the node that hosted its
 * pipe died (the pipe's bytes died with it; the stream is never restarted from position 0).
 */
public final class PipeEntity {
  private PipeEntity() {}

  /** The entity's protocol. */
  public sealed interface Command {}

  /**
   * Where is the entity? Answered with {@link Located}, so the accepting node knows whether it
   * can hand the connection over in its own JVM or must send its frames across.
   *
   * @param replyTo who is told
   */
  public record Locate(ActorRef<Located> replyTo) implements Command {}

  /**
   * The answer to {@link Locate}.
   *
   * @param entity the entity, to attach to directly
   */
  public record Located(ActorRef<Command> entity) {}

  /**
   * A client's authenticated HELLO reached another node: attach the connection whose frames that
   * node offers as stream refs.
   *
   * @param hello the client's HELLO, its proof already checked by the accepting node
   * @param client the client's address (creations are rate-limited per address)
   * @param fromClient the frames the client sends
   * @param toClient where the frames for the client go
   * @param replyTo told the WELCOME to send
   */
  public record AttachRemote(Frame.Hello hello, InetSocketAddress client,
      SourceRef<Frame> fromClient, SinkRef<Frame> toClient, ActorRef<Frame.Welcome> replyTo)
      implements Command {}

  /**
   * A client's authenticated HELLO reached this entity's own node: attach {@code connection}.
   * Never crosses nodes.
   *
   * @param hello the client's HELLO, its proof already checked
   * @param client the client's address
   * @param connection the running connection
   * @param welcome completed with the WELCOME to send
   */
  public record AttachLocal(Frame.Hello hello, InetSocketAddress client, Connection connection,
      CompletableFuture<Frame.Welcome> welcome) implements Command {}

  /** The node is leaving (shard hand-off): close the pipe, then stop. */
  public enum HandOff implements Command {
    /** The only instance. */
    INSTANCE
  }

  private record Reserved(boolean granted, String detail) implements Command {}

  private record Lifecycle(ActorRef<PipeCommand> pipe, PipeEvent event) implements Command {}

  private record Refused(Throwable error, Consumer<Frame.Welcome> answer) implements Command {}

  /** The pipe actor stopped (it failed: a pipe that closes says so first). */
  private record PipeStopped(ActorRef<PipeCommand> pipe) implements Command {}

  private enum Timeout implements Command {
    /** The grace period passed with no client, or a closed pipe's linger ended. */
    INSTANCE
  }

  private static final Object TIMER = "timer";
  /** How long a closed pipe lingers so that its last CLOSE is flushed. */
  private static final Duration LINGER = Duration.ofSeconds(2);
  private static final int STASH = 64;

  /** What every entity of a node shares. */
  record Host(ServerSettings settings, PipeSettings pipeSettings, Duration acceptTimeout,
      Duration leaveTimeout, ActorRef<NodeQuota.Command> quota,
      BiConsumer<UUID, BackedPipe> onNewPipe) {}

  /** An attach request, local or remote, reduced to what the entity needs. */
  private record Attach(Frame.Hello hello, InetSocketAddress client, Connection connection,
      Consumer<Frame.Welcome> answer) {}

  /**
   * Creates the entity of one stream id.
   *
   * @param id the stream id
   * @param host what the node's entities share
   * @return the behaviour
   */
  static Behavior<Command> create(UUID id, ActorRef<ClusterSharding.ShardCommand> shard,
      Host host) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> Behaviors.withStash(STASH,
        stash -> new Machine(id, shard, host, context, timers, stash).started())));
  }

  /** One entity's states. */
  private static final class Machine {
    private final UUID id;
    private final ActorRef<ClusterSharding.ShardCommand> shard;
    private final Host host;
    private final ActorContext<Command> context;
    private final TimerScheduler<Command> timers;
    private final StashBuffer<Command> stash;

    Machine(UUID id, ActorRef<ClusterSharding.ShardCommand> shard, Host host,
        ActorContext<Command> context, TimerScheduler<Command> timers,
        StashBuffer<Command> stash) {
      this.id = id;
      this.shard = shard;
      this.host = host;
      this.context = context;
      this.timers = timers;
      this.stash = stash;
    }

    /**
     * A new entity: vacant, but only for a while. A {@code Locate} starts it and an attach
     * normally follows at once; one that never comes (its client gave up) must not leave the
     * entity behind for good, as sharding does not passivate idle entities here.
     */
    private Behavior<Command> started() {
      timers.startSingleTimer(TIMER, Timeout.INSTANCE, host.acceptTimeout().multipliedBy(2));
      return vacant();
    }

    private Behavior<Command> vacant() {
      return Behaviors.receive(Command.class)
          .onMessage(Locate.class, this::onLocate)
          .onMessage(AttachLocal.class, m -> vacantAttach(local(m)))
          .onMessage(AttachRemote.class, m -> vacantAttach(remote(m)))
          .onMessage(Refused.class, this::onRefused)
          .onMessageEquals(Timeout.INSTANCE, this::passivate)
          .onMessageEquals(HandOff.INSTANCE, Behaviors::stopped)
          .build();
    }

    private Behavior<Command> vacantAttach(Attach attach) {
      if (!attach.hello().create() || !host.settings().createOnFirstContact()) {
        refuse(attach, HandshakeStatus.UNKNOWN_STREAM, "streamId=" + id
            + " is not hosted by the cluster: never created, expired, or its node left");
        return passivate();
      }
      timers.cancel(TIMER);
      host.quota().tell(new NodeQuota.Reserve(attach.client().getAddress(),
          context.messageAdapter(NodeQuota.Reservation.class,
              r -> new Reserved(r.granted(), r.detail()))));
      return reserving(attach);
    }

    private Behavior<Command> reserving(Attach first) {
      return Behaviors.receive(Command.class)
          .onMessage(Locate.class, this::onLocate)
          .onMessage(Reserved.class, reserved -> {
            if (!reserved.granted()) {
              refuse(first, HandshakeStatus.LIMIT_REACHED, reserved.detail());
              return stash.unstashAll(passivate());
            }
            ActorRef<PipeCommand> pipe = spawnPipe();
            attach(pipe, first);
            return stash.unstashAll(hosting(pipe));
          })
          .onMessage(AttachLocal.class, m -> stashOrRefuse(m, local(m)))
          .onMessage(AttachRemote.class, m -> stashOrRefuse(m, remote(m)))
          .onAnyMessage(m -> {
            stash.stash(m); // a hand-off: at most one, attaches are bounded above
            return Behaviors.same();
          })
          .build();
    }

    /** Keeps an attach for when the pipe exists; beyond the stash's room, refuses it. */
    private Behavior<Command> stashOrRefuse(Command message, Attach attach) {
      if (stash.size() < STASH - 1) { // the last place is kept for a hand-off
        stash.stash(message);
      } else {
        refuse(attach, HandshakeStatus.LIMIT_REACHED, "too many connections at once for streamId="
            + id + "; retry");
      }
      return Behaviors.same();
    }

    private Behavior<Command> hosting(ActorRef<PipeCommand> pipe) {
      return Behaviors.receive(Command.class)
          .onMessage(Locate.class, this::onLocate)
          .onMessage(AttachLocal.class, m -> {
            attach(pipe, local(m));
            return Behaviors.same();
          })
          .onMessage(AttachRemote.class, m -> {
            attach(pipe, remote(m));
            return Behaviors.same();
          })
          .onMessage(Refused.class, this::onRefused)
          .onMessage(Lifecycle.class, lifecycle -> onLifecycle(pipe, lifecycle))
          .onMessage(PipeStopped.class, stopped -> {
            context.getLog().warn("pipe [{}] stopped without closing; its stream is gone", id);
            host.quota().tell(NodeQuota.Release.INSTANCE);
            return passivate();
          })
          .onMessageEquals(Timeout.INSTANCE, () -> {
            context.getLog().info("closing pipe [{}]: its client was gone for {}", id,
                HumanText.duration(host.settings().grace()));
            pipe.tell(new PipeCommand.Expire("no connection for the grace period "
                + HumanText.duration(host.settings().grace()), context.getSystem().ignoreRef()));
            return Behaviors.same();
          })
          .onMessageEquals(HandOff.INSTANCE, () -> {
            context.getLog().info("closing pipe [{}]: its node is leaving the cluster", id);
            pipe.tell(new PipeCommand.Expire("the node hosting the stream is leaving the cluster",
                context.getSystem().ignoreRef()));
            timers.startSingleTimer(TIMER, Timeout.INSTANCE, host.leaveTimeout());
            return leaving(pipe);
          })
          .onSignal(PostStop.class, this::onStop)
          .build();
    }

    private Behavior<Command> leaving(ActorRef<PipeCommand> pipe) {
      return Behaviors.receive(Command.class)
          .onMessage(Locate.class, this::onLocate)
          .onMessage(AttachLocal.class, m -> refuseAndStay(local(m), HandshakeStatus.UNKNOWN_STREAM,
              leavingDetail()))
          .onMessage(AttachRemote.class, m -> refuseAndStay(remote(m),
              HandshakeStatus.UNKNOWN_STREAM, leavingDetail()))
          .onMessage(Refused.class, this::onRefused)
          .onMessage(Lifecycle.class, lifecycle -> lifecycle.pipe().equals(pipe)
              && lifecycle.event() instanceof PipeEvent.Closed
              ? Behaviors.stopped() : Behaviors.same())
          .onMessage(PipeStopped.class, stopped -> Behaviors.stopped())
          .onMessageEquals(Timeout.INSTANCE, Behaviors::stopped)
          .onMessageEquals(HandOff.INSTANCE, Behaviors::same)
          .onSignal(PostStop.class, this::onStop)
          .build();
    }

    private String leavingDetail() {
      return "streamId=" + id + ": the node hosting it is leaving the cluster and has closed it";
    }

    /** The stream ended cleanly: said for the grace period, then the entity passivates. */
    private Behavior<Command> completed() {
      return refusing(HandshakeStatus.COMPLETED, "streamId=" + id, true);
    }

    /** The pipe closed (or stopped): its last CLOSE gets a moment to be flushed. */
    private Behavior<Command> lingering() {
      return refusing(HandshakeStatus.UNKNOWN_STREAM, "streamId=" + id + " was closed", true);
    }

    /**
     * A state without a pipe to attach to: every attach gets the same refusal, refusals from the
     * pipe's last asks are still answered, and a hand-off stops the entity.
     *
     * @param passivateOnTimeout whether the state's timer ends it by passivating
     */
    private Behavior<Command> refusing(HandshakeStatus status, String detail,
        boolean passivateOnTimeout) {
      BehaviorBuilder<Command> builder = Behaviors.receive(Command.class)
          .onMessage(Locate.class, this::onLocate)
          .onMessage(AttachLocal.class, m -> refuseAndStay(local(m), status, detail))
          .onMessage(AttachRemote.class, m -> refuseAndStay(remote(m), status, detail))
          .onMessage(Refused.class, this::onRefused)
          .onMessageEquals(HandOff.INSTANCE, Behaviors::stopped);
      if (passivateOnTimeout) {
        builder = builder.onMessageEquals(Timeout.INSTANCE, this::passivate);
      }
      // the closed pipe's last events, a late timer
      return builder.onAnyMessage(m -> Behaviors.same()).build();
    }

    private Behavior<Command> refuseAndStay(Attach attach, HandshakeStatus status,
        String detail) {
      refuse(attach, status, detail);
      return Behaviors.same();
    }

    /**
     * Asks the shard to stop this entity: it sends {@link HandOff} once no message for the
     * entity is on its way through it, and keeps any that come later for a new incarnation.
     * Stopping at once would drop those.
     */
    private Behavior<Command> passivate() {
      shard.tell(new ClusterSharding.Passivate<>(context.getSelf()));
      return passivating();
    }

    /**
     * Waiting for the shard's {@link HandOff}. Attaches sent straight to this incarnation (after a
     * {@code Locate} it answered) are refused with a retry: the next reaches a new one. Taking
     * them would start a pipe that the coming hand-off closes at once.
     */
    private Behavior<Command> passivating() {
      return refusing(HandshakeStatus.LIMIT_REACHED, "the entity of streamId=" + id
          + " is stopping; retry", false);
    }

    private Behavior<Command> onLocate(Locate locate) {
      locate.replyTo().tell(new Located(context.getSelf()));
      return Behaviors.same();
    }

    private Behavior<Command> onLifecycle(ActorRef<PipeCommand> pipe, Lifecycle lifecycle) {
      if (!lifecycle.pipe().equals(pipe)) {
        return Behaviors.same();
      }
      PipeEvent event = lifecycle.event();
      if (event instanceof PipeEvent.Disconnected) {
        timers.startSingleTimer(TIMER, Timeout.INSTANCE, host.settings().grace());
      } else if (event instanceof PipeEvent.Connected) {
        timers.cancel(TIMER);
      } else if (event instanceof PipeEvent.Closed closed) {
        context.getLog().info("pipe [{}] closed: [{}]", id, closed.cause());
        host.quota().tell(NodeQuota.Release.INSTANCE); // the pipe's buffers are gone
        if (closed.cause() == DisconnectCause.COMPLETED) {
          // Remembered for the grace period: a client whose last connection died before it saw
          // the end learns the stream is complete, not unknown.
          timers.startSingleTimer(TIMER, Timeout.INSTANCE, host.settings().grace());
          return completed();
        }
        // Not at once: a pipe that just closed may still be flushing its last CLOSE.
        timers.startSingleTimer(TIMER, Timeout.INSTANCE, LINGER);
        return lingering();
      }
      return Behaviors.same();
    }

    private Behavior<Command> onRefused(Refused refused) {
      context.getLog().info("refused connection for pipe [{}]: [{}]", id,
          refused.error().getMessage());
      refused.answer().accept(AcceptAnswers.refused(refused.error(), host.settings().grace(),
          host.pipeSettings().linkLimits()));
      return Behaviors.same();
    }

    /** Stopped while its pipe was still open (hosting or leaving): its place is free. */
    private Behavior<Command> onStop(PostStop stop) {
      host.quota().tell(NodeQuota.Release.INSTANCE);
      return Behaviors.same();
    }

    private ActorRef<PipeCommand> spawnPipe() {
      ActorRef<PipeCommand> pipe = context.spawn(
          BackedPipe.createAccepting(host.pipeSettings()), "pipe");
      context.watchWith(pipe, new PipeStopped(pipe));
      pipe.tell(new PipeCommand.SubscribeAdapted<>(context.getSelf(),
          event -> new Lifecycle(pipe, event)));
      // Closed like a pipe whose client left, unless its first connection is attached in time.
      timers.startSingleTimer(TIMER, Timeout.INSTANCE, host.settings().grace());
      context.getLog().info("created pipe [{}]", id);
      try {
        host.onNewPipe().accept(id, BackedPipe.of(pipe, context.getSystem()));
      } catch (RuntimeException e) {
        context.getLog().error("onNewPipe failed for pipe [{}]; the pipe stays", id, e);
      }
      return pipe;
    }

    private void attach(ActorRef<PipeCommand> pipe, Attach attach) {
      Duration grace = host.settings().grace();
      ActorRef<Command> self = context.getSelf();
      Completions.direct(AskPattern.<PipeCommand, StatusReply<ResumePoint>>ask(pipe,
              replyTo -> new PipeCommand.Accept(attach.connection(), replyTo),
              host.acceptTimeout(), context.getSystem().scheduler()))
          .whenComplete((reply, error) -> {
            if (reply != null && reply.isSuccess()) {
              // Answered on the pipe's thread: an OK needs nothing of the entity's state.
              attach.answer().accept(AcceptAnswers.accepted(reply.getValue(), grace));
            } else {
              self.tell(new Refused(error != null ? error : reply.getError(), attach.answer()));
            }
          });
    }

    private void refuse(Attach attach, HandshakeStatus status, String detail) {
      context.getLog().debug("refused HELLO for stream [{}]: [{}] [{}]", id, status, detail);
      attach.answer().accept(AcceptAnswers.refused(status, detail, host.settings().grace(),
          host.pipeSettings().linkLimits()));
      attach.connection().discard(Materializer.matFromSystem(context.getSystem()));
    }

    private static Attach local(AttachLocal m) {
      return new Attach(m.hello(), m.client(), m.connection(), m.welcome()::complete);
    }

    private static Attach remote(AttachRemote m) {
      Frame.Hello hello = m.hello();
      // Coupled: the end of either direction ends the other, as with a TCP connection.
      Flow<Frame, Frame, ?> frames = Flow.fromSinkAndSourceCoupled(
          m.toClient().getSink(), m.fromClient().getSource());
      Connection connection = new Connection(hello.readPosition(),
          OptionalInt.of(hello.historyCheck()), hello.limits(), frames);
      return new Attach(hello, m.client(), connection, m.replyTo()::tell);
    }
  }
}
