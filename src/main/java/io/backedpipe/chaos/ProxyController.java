package io.backedpipe.chaos;

import java.io.IOException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.SplittableRandom;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * Owns a {@link ChaosProxy}'s open connections, its schedule and its counts; every fault is
 * decided and applied here, one message at a time, so the order of faults follows the seed.
 */
final class ProxyController {
  private static final Object TICK_TIMER = "tick";
  private static final Object BLACKHOLE_TIMER = "blackhole";

  /** The controller's messages. */
  sealed interface Command {}

  /** A connection was accepted. */
  record Register(ProxiedLink link) implements Command {}

  /** A connection ended. */
  record Unregister(long id) implements Command {}

  /**
   * Apply a fault to every open connection now.
   *
   * @param fault what to do
   * @param blackhole how long a blackhole lasts (ignored for other faults)
   */
  record Inject(Fault fault, Duration blackhole) implements Command {}

  /** Answer the counts so far. */
  record GetStats(ActorRef<ChaosStats> replyTo) implements Command {}

  /** Reset every connection and stop. */
  enum Shutdown implements Command {
    INSTANCE
  }

  /** Time for the next scheduled fault. */
  private enum Tick implements Command {
    INSTANCE
  }

  /** The blackhole is over. */
  private enum BlackholeOver implements Command {
    INSTANCE
  }

  private final ActorContext<Command> context;
  private final TimerScheduler<Command> timers;
  private final ChaosSchedule schedule;
  private final SplittableRandom random;
  private final Map<Long, ProxiedLink> links = new HashMap<>();
  private boolean blackholed;
  private long connections;
  private long resets;
  private long closes;
  private long blackholes;

  private ProxyController(ActorContext<Command> context, TimerScheduler<Command> timers,
      ChaosSchedule schedule) {
    this.context = context;
    this.timers = timers;
    this.schedule = schedule;
    this.random = new SplittableRandom(schedule.seed());
  }

  static Behavior<Command> create(ChaosSchedule schedule) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      ProxyController controller = new ProxyController(context, timers, schedule);
      controller.scheduleTick();
      return controller.behavior();
    }));
  }

  private Behavior<Command> behavior() {
    return Behaviors.receive(Command.class)
        .onMessage(Register.class, m -> onRegister(m.link()))
        .onMessage(Unregister.class, m -> {
          links.remove(m.id());
          return Behaviors.same();
        })
        .onMessage(Inject.class, m -> apply(m.fault(), m.blackhole()))
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(BlackholeOver.INSTANCE, this::endBlackhole)
        .onMessageEquals(Shutdown.INSTANCE, () -> {
          blackholed = false;
          apply(Fault.RESET, Duration.ZERO);
          return Behaviors.stopped();
        })
        .onMessage(GetStats.class, m -> {
          m.replyTo().tell(new ChaosStats(connections, resets, closes, blackholes));
          return Behaviors.same();
        })
        .build();
  }

  private Behavior<Command> onRegister(ProxiedLink link) {
    connections++;
    links.put(link.id(), link);
    if (!blackholed) {
      link.open(); // links start shut, so none slips through a blackhole before this
    }
    return Behaviors.same();
  }

  private Behavior<Command> onTick() {
    Fault fault = random.nextDouble() < schedule.blackholeChance() ? Fault.BLACKHOLE
        : random.nextBoolean() ? Fault.RESET : Fault.CLOSE;
    long min = schedule.blackholeMin().toMillis();
    long max = schedule.blackholeMax().toMillis();
    Duration blackhole = Duration.ofMillis(max > min ? random.nextLong(min, max + 1) : min);
    apply(fault, blackhole);
    scheduleTick();
    return Behaviors.same();
  }

  private Behavior<Command> apply(Fault fault, Duration blackhole) {
    if (blackholed) {
      return Behaviors.same(); // nothing moves anyway; a cut now would end the blackhole early
    }
    List<ProxiedLink> open = new ArrayList<>(links.values());
    switch (fault) {
      case RESET -> {
        open.forEach(l -> l.killSwitch().abort(new IOException("chaos proxy: reset")));
        resets += open.size();
        links.clear();
      }
      case CLOSE -> {
        open.forEach(l -> l.killSwitch().shutdown());
        closes += open.size();
        links.clear();
      }
      case BLACKHOLE -> {
        blackholed = true;
        blackholes++;
        open.forEach(ProxiedLink::shut);
        timers.startSingleTimer(BLACKHOLE_TIMER, BlackholeOver.INSTANCE, blackhole);
        context.getLog().debug("blackhole for [{}] over [{}] connections", blackhole, open.size());
      }
    }
    return Behaviors.same();
  }

  private Behavior<Command> endBlackhole() {
    blackholed = false;
    links.values().forEach(ProxiedLink::open);
    return Behaviors.same();
  }

  private void scheduleTick() {
    if (schedule.automatic()) {
      long mean = schedule.interval().toNanos();
      long delay = mean / 2 + random.nextLong(mean + 1); // mean +-50%
      timers.startSingleTimer(TICK_TIMER, Tick.INSTANCE, Duration.ofNanos(delay));
    }
  }
}
