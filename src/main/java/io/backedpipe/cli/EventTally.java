package io.backedpipe.cli;

import io.backedpipe.PipeEvent;
import io.backedpipe.tunnel.TunnelEvent;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Counts what the pipes of one tunnel end went through, for the demo's progress and verdict. */
final class EventTally {
  /** The tally's messages. */
  sealed interface Command {}

  /**
   * An event of one stream.
   *
   * @param event the event
   */
  record Seen(TunnelEvent event) implements Command {}

  /**
   * Answer the counts so far.
   *
   * @param replyTo who asked
   */
  record Get(ActorRef<Counts> replyTo) implements Command {}

  /**
   * The counts.
   *
   * @param resumed connections that resumed a stream (every one after a stream's first)
   * @param replayedBytes bytes sent again after a resume
   * @param linksLost connections lost under a stream
   * @param closedEarly streams that closed other than cleanly
   */
  record Counts(long resumed, long replayedBytes, long linksLost, long closedEarly) {}

  private EventTally() {}

  static Behavior<Command> create() {
    return counting(new Counts(0, 0, 0, 0));
  }

  /** Receives tunnel events directly, for a tunnel's listener. */
  static Behavior<TunnelEvent> adapter(ActorRef<Command> tally) {
    return Behaviors.receiveMessage(event -> {
      tally.tell(new Seen(event));
      return Behaviors.same();
    });
  }

  private static Behavior<Command> counting(Counts c) {
    return Behaviors.receive(Command.class)
        .onMessage(Seen.class, m -> counting(add(c, m.event().event())))
        .onMessage(Get.class, m -> {
          m.replyTo().tell(c);
          return Behaviors.same();
        })
        .build();
  }

  private static Counts add(Counts c, PipeEvent event) {
    if (event instanceof PipeEvent.Connected connected && connected.reconnectCount() > 0) {
      return new Counts(c.resumed() + 1, c.replayedBytes() + connected.replayedBytes(),
          c.linksLost(), c.closedEarly());
    } else if (event instanceof PipeEvent.Disconnected) {
      return new Counts(c.resumed(), c.replayedBytes(), c.linksLost() + 1, c.closedEarly());
    } else if (event instanceof PipeEvent.Closed closed
        && closed.cause() != io.backedpipe.DisconnectCause.COMPLETED) {
      return new Counts(c.resumed(), c.replayedBytes(), c.linksLost(), c.closedEarly() + 1);
    }
    return c;
  }
}
