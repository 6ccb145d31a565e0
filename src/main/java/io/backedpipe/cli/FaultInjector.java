package io.backedpipe.cli;

import io.backedpipe.testing.TestLink;
import java.time.Duration;
import java.util.random.RandomGenerator;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Keeps the newest in-memory link of the demo and breaks it on a timer: mostly cuts (a reset),
 * sometimes a plain close (EOF without end-of-stream), sometimes a short stall (a blackhole that
 * recovers by itself).
 */
final class FaultInjector {
  private static final Object FAULT_TIMER = "fault";

  /** The injector's protocol. */
  sealed interface Command {}

  /**
   * A new link the client made.
   *
   * @param link the link
   */
  record NewLink(TestLink link) implements Command {}

  /**
   * Answer how many faults were injected so far.
   *
   * @param replyTo who is told
   */
  record GetFaults(ActorRef<Long> replyTo) implements Command {}

  private enum Tick implements Command {
    INSTANCE
  }

  private enum Resume implements Command {
    INSTANCE
  }

  private FaultInjector() {}

  static Behavior<Command> create(Duration interval, RandomGenerator random) {
    return Behaviors.withTimers(timers -> {
      timers.startTimerWithFixedDelay(FAULT_TIMER, Tick.INSTANCE, interval);
      return running(null, 0, random, timers);
    });
  }

  private static Behavior<Command> running(
      TestLink link, long faults, RandomGenerator random,
      TimerScheduler<Command> timers) {
    return Behaviors.receive(Command.class)
        .onMessage(NewLink.class, m -> running(m.link(), faults, random, timers))
        .onMessage(GetFaults.class, m -> reply(m.replyTo(), faults))
        .onMessageEquals(Tick.INSTANCE, () -> running(link, inject(link, faults, random, timers),
            random, timers))
        .onMessageEquals(Resume.INSTANCE, () -> resume(link))
        .build();
  }

  private static Behavior<Command> reply(ActorRef<Long> replyTo, long faults) {
    replyTo.tell(faults);
    return Behaviors.same();
  }

  private static Behavior<Command> resume(TestLink link) {
    if (link != null) {
      link.resume();
    }
    return Behaviors.same();
  }

  private static long inject(TestLink link, long faults, RandomGenerator random,
      TimerScheduler<Command> timers) {
    if (link == null) {
      return faults;
    }
    int dice = random.nextInt(100);
    if (dice < 70) {
      link.cut();
    } else if (dice < 85) {
      link.close();
    } else {
      link.stall();
      timers.startSingleTimer(Resume.INSTANCE, Duration.ofMillis(20 + random.nextInt(80)));
    }
    return faults + 1;
  }
}
