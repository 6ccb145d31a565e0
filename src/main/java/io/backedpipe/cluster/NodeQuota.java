package io.backedpipe.cluster;

import io.backedpipe.PipeSettings;
import io.backedpipe.server.CreationRateLimiter;
import io.backedpipe.server.ServerSettings;
import java.net.InetAddress;
import java.util.function.LongSupplier;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * One node's share of the server limits in cluster mode: {@code max-pipes} and
 * {@code max-total-buffer-bytes} count the pipes hosted on this node, and the creation rate per
 * client address counts the creations this node hosts. A {@link PipeEntity} reserves a place
 * before it creates its pipe and releases it when it stops.
 */
final class NodeQuota {
  private NodeQuota() {}

  /** The quota's protocol. */
  sealed interface Command {}

  /**
   * May a pipe for a client at {@code client} be created here?
   *
   * @param client the client's address
   * @param replyTo told the answer
   */
  record Reserve(InetAddress client, ActorRef<Reservation> replyTo) implements Command {}

  /**
   * The answer to {@link Reserve}.
   *
   * @param granted whether the place is taken for the asker
   * @param detail why not, when refused
   */
  record Reservation(boolean granted, String detail) {}

  /**
   * How many pipes this node hosts.
   *
   * @param replyTo who is told
   */
  record Count(ActorRef<Integer> replyTo) implements Command {}

  /** A place taken earlier is free again. */
  enum Release implements Command {
    /** The only instance. */
    INSTANCE
  }

  /**
   * Creates the quota of one node.
   *
   * @param settings the limits
   * @param pipeSettings the settings of every pipe (what one pipe holds)
   * @param clock a monotonic clock in nanoseconds
   * @return the behaviour
   */
  static Behavior<Command> create(ServerSettings settings, PipeSettings pipeSettings,
      LongSupplier clock) {
    CreationRateLimiter creations = new CreationRateLimiter(settings.createRatePerAddress(),
        settings.createBurstPerAddress());
    long perPipe = (long) pipeSettings.windowBytes() + pipeSettings.readBufferBytes();
    return counting(0, settings, perPipe, creations, clock);
  }

  private static Behavior<Command> counting(int hosted, ServerSettings settings, long perPipe,
      CreationRateLimiter creations, LongSupplier clock) {
    return Behaviors.receive(Command.class)
        .onMessage(Reserve.class, reserve -> {
          long held = (hosted + 1L) * perPipe;
          if (hosted >= settings.maxPipes() || held > settings.maxTotalBufferBytes()) {
            reserve.replyTo().tell(new Reservation(false, "pipes=" + hosted + " maxPipes="
                + settings.maxPipes() + " bufferBytes=" + held + " maxTotalBufferBytes="
                + settings.maxTotalBufferBytes() + " on this node"));
            return Behaviors.same();
          }
          if (!creations.tryCreate(reserve.client(), clock.getAsLong())) {
            reserve.replyTo().tell(new Reservation(false, "createRatePerAddress="
                + settings.createRatePerAddress() + " burst=" + settings.createBurstPerAddress()));
            return Behaviors.same();
          }
          reserve.replyTo().tell(new Reservation(true, ""));
          return counting(hosted + 1, settings, perPipe, creations, clock);
        })
        .onMessage(Count.class, count -> {
          count.replyTo().tell(hosted);
          return Behaviors.same();
        })
        .onMessageEquals(Release.INSTANCE, () ->
            counting(Math.max(0, hosted - 1), settings, perPipe, creations, clock))
        .build();
  }
}
