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
 * faults follows the seed. The schedule's {@link LinkConditions} are kept here too: each link gets
 * the latency and the current bandwidth limit when it registers and again after every fault; a new
 * limit is picked every {@code rateChangeEvery}; a link loss (a blackhole of every link) comes
 * after each up time. They draw on a random source of their own, so adding conditions does not
 * change the sequence of short faults a seed gives.
 */
final class ProxyController {
  private static final Object TICK_TIMER = "tick";
  private static final Object BLACKHOLE_TIMER = "blackhole";
  private static final Object RATE_TIMER = "rate";
  private static final Object OUTAGE_TIMER = "outage";

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

  /** Time to pick a new bandwidth limit. */
  private enum RateChange implements Command {
    INSTANCE
  }

  /** Time to lose every link for a while. */
  private enum OutageDue implements Command {
    INSTANCE
  }

  /** The blackhole is over. */
  private enum BlackholeOver implements Command {
    INSTANCE
  }

  private final TimerScheduler<Command> timers;
  /** When the last scheduled fault was planned to happen ({@link System#nanoTime}). */
  private long plannedTickNanos = System.nanoTime();
  private final ChaosSchedule schedule;
  private final SplittableRandom random;
  private final LinkConditions conditions;
  private final SplittableRandom conditionsRandom;
  private long rate;
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
    this.conditions = schedule.conditions();
    this.conditionsRandom = new SplittableRandom(~schedule.seed());
    this.rate = conditions.pickRate(conditionsRandom);
  }

  static Behavior<Command> create(ChaosSchedule schedule) {
    return Behaviors.setup(context -> Behaviors.withTimers(timers -> {
      ProxyController controller = new ProxyController(timers, schedule);
      controller.scheduleTick();
      controller.startConditions();
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
        .onMessageEquals(RateChange.INSTANCE, this::onRateChange)
        .onMessageEquals(OutageDue.INSTANCE, this::onOutageDue)
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
    condition(link);
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
    links.values().forEach(this::condition); // delays and limits last one tick
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
        Duration delay = conditions.latency().plusMillis(1 + random.nextInt(50));
        open.forEach(l -> l.delay(delay));
        delays += open.size();
      }
      case BANDWIDTH -> {
        long picked = (1 + random.nextInt(50)) * 1_000_000L;
        long bytesPerSecond = rate > 0 ? Math.min(rate, picked) : picked;
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

  /** The link's sustained latency and bandwidth, replacing any fault's. */
  private void condition(ChaosLink<?> link) {
    link.shape(conditions.latency(), rate);
  }

  private void startConditions() {
    if (conditions.maxBytesPerSecond() > conditions.minBytesPerSecond()) {
      timers.startTimerWithFixedDelay(RATE_TIMER, RateChange.INSTANCE,
          conditions.rateChangeEvery());
    }
    if (conditions.losesLinks()) {
      timers.startSingleTimer(OUTAGE_TIMER, OutageDue.INSTANCE,
          conditions.upTime().pick(conditionsRandom));
    }
  }

  private Behavior<Command> onRateChange() {
    rate = conditions.pickRate(conditionsRandom);
    links.values().forEach(this::condition);
    return Behaviors.same();
  }

  /** Loses every link (unless a blackhole holds them already); the next loss after an up time. */
  private Behavior<Command> onOutageDue() {
    Duration outage = conditions.outage().pick(conditionsRandom);
    Duration next = conditions.upTime().pick(conditionsRandom);
    if (!blackholed) {
      apply(Fault.BLACKHOLE, outage);
      next = next.plus(outage);
    }
    timers.startSingleTimer(OUTAGE_TIMER, OutageDue.INSTANCE, next);
    return Behaviors.same();
  }

  /**
   * Plans the next fault at the schedule's interval (+-50%) after the last one was planned, not
   * after it happened: the schedule is a rate, and this actor runs late when the machine is busy
   * (and Pekko's timers fire on a 10 ms tick), which once cut a soak's faults every ~8 ms to one
   * every ~19 ms. Faults that fell behind follow each other at once (up to four intervals' worth,
   * and in pairs at an interval under the timer's tick); a plan more than four intervals behind
   * starts again from now.
   */
  private void scheduleTick() {
    if (schedule.automatic()) {
      long mean = schedule.interval().toNanos();
      long now = System.nanoTime();
      if (now - plannedTickNanos > 4 * mean) {
        plannedTickNanos = now;
      }
      plannedTickNanos += mean / 2 + random.nextLong(mean + 1); // mean +-50%
      timers.startSingleTimer(TICK_TIMER, Tick.INSTANCE,
          Duration.ofNanos(Math.max(0, plannedTickNanos - now)));
    }
  }
}
