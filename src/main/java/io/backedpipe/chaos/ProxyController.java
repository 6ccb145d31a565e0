package io.backedpipe.chaos;

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
 * Owns the open links of a {@link ChaosProxy} or {@link ChaosReconnector}, its schedule and its
 * counts; every fault is decided and applied here, one message at a time, so the sequence of
 * faults follows the seed.
 */
final class ProxyController {
  private static final Object TICK_TIMER = "tick";
  private static final Object BLACKHOLE_TIMER = "blackhole";

  /** The controller's messages. */
  sealed interface Command {}

  /**
   * A link was made.
   *
   * @param id its number
   * @param link the link, shut until registered
   */
  record Register(long id, ChaosLink<?> link) implements Command {}

  /**
   * A link ended.
   *
   * @param id its number
   */
  record Unregister(long id) implements Command {}

  /**
   * Apply a fault to every open link now.
   *
   * @param fault what to do
   * @param blackhole how long a blackhole or stall lasts (ignored for other faults)
   */
  record Inject(Fault fault, Duration blackhole) implements Command {}

  /**
   * Answer the counts so far.
   *
   * @param replyTo who asked
   */
  record GetStats(ActorRef<ChaosStats> replyTo) implements Command {}

  /** Reset every link and stop. */
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

  private final TimerScheduler<Command> timers;
  private final ChaosSchedule schedule;
  private final SplittableRandom random;
  private final Map<Long, ChaosLink<?>> links = new HashMap<>();
  private boolean blackholed;
  private long connections;
  private long resets;
  private long closes;
  private long blackholes;
  private long stalls;
  private long delays;
  private long limits;
  private long cuts;

  private ProxyController(TimerScheduler<Command> timers, ChaosSchedule schedule) {
    this.timers = timers;
    this.schedule = schedule;
    this.random = new SplittableRandom(schedule.seed());
  }

  static Behavior<Command> create(ChaosSchedule schedule) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      ProxyController controller = new ProxyController(timers, schedule);
      controller.scheduleTick();
      return controller.behavior(context);
    }));
  }

  private Behavior<Command> behavior(ActorContext<Command> context) {
    return Behaviors.receive(Command.class)
        .onMessage(Register.class, m -> onRegister(m.id(), m.link()))
        .onMessage(Unregister.class, m -> {
          links.remove(m.id());
          return Behaviors.same();
        })
        .onMessage(Inject.class, m -> {
          apply(m.fault(), m.blackhole());
          return Behaviors.same();
        })
        .onMessageEquals(Tick.INSTANCE, this::onTick)
        .onMessageEquals(BlackholeOver.INSTANCE, this::endBlackhole)
        .onMessage(GetStats.class, m -> {
          m.replyTo().tell(new ChaosStats(connections, resets, closes, blackholes, stalls,
              delays, limits, cuts));
          return Behaviors.same();
        })
        .onMessageEquals(Shutdown.INSTANCE, () -> {
          endBlackhole();
          apply(Fault.RESET, Duration.ZERO);
          return Behaviors.stopped();
        })
        .build();
  }

  private Behavior<Command> onRegister(long id, ChaosLink<?> link) {
    connections++;
    links.put(id, link);
    if (!blackholed) {
      link.open(); // links start shut, so none slips through a blackhole before this
    }
    return Behaviors.same();
  }

  private Behavior<Command> onTick() {
    Fault fault = random.nextDouble() < schedule.blackholeChance() ? Fault.BLACKHOLE
        : schedule.faults().get(random.nextInt(schedule.faults().size()));
    long min = schedule.blackholeMin().toMillis();
    long max = schedule.blackholeMax().toMillis();
    Duration blackhole = Duration.ofMillis(max > min ? random.nextLong(min, max + 1) : min);
    links.values().forEach(ChaosLink::unshaped); // delays and limits last one tick
    apply(fault, blackhole);
    scheduleTick();
    return Behaviors.same();
  }

  private void apply(Fault fault, Duration duration) {
    if (blackholed) {
      return; // nothing moves anyway; a cut now would end the blackhole early
    }
    List<ChaosLink<?>> open = new ArrayList<>(links.values());
    switch (fault) {
      case RESET -> {
        open.forEach(ChaosLink::reset);
        resets += open.size();
        links.clear();
      }
      case CLOSE -> {
        open.forEach(ChaosLink::close);
        closes += open.size();
        links.clear();
      }
      case BLACKHOLE -> {
        blackholed = true;
        blackholes++;
        open.forEach(ChaosLink::blackhole);
        timers.startSingleTimer(BLACKHOLE_TIMER, BlackholeOver.INSTANCE, duration);
      }
      case STALL -> {
        Duration stall = schedule.interval().isZero() ? duration
            : schedule.interval().multipliedBy(1 + random.nextInt(4));
        open.forEach(l -> l.stall(stall));
        stalls += open.size();
      }
      case DELAY -> {
        Duration delay = Duration.ofMillis(1 + random.nextInt(50));
        open.forEach(l -> l.delay(delay));
        delays += open.size();
      }
      case BANDWIDTH -> {
        long bytesPerSecond = (1 + random.nextInt(50)) * 1_000_000L;
        open.forEach(l -> l.limit(bytesPerSecond));
        limits += open.size();
      }
      case CUT -> {
        open.forEach(l -> l.cutAfter(random.nextLong(256 * 1024)));
        cuts += open.size();
      }
    }
  }

  private Behavior<Command> endBlackhole() {
    blackholed = false;
    links.values().forEach(ChaosLink::open);
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
