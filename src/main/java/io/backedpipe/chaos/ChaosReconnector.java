package io.backedpipe.chaos;

import io.backedpipe.Connection;
import io.backedpipe.Reconnector;
import io.backedpipe.ResumePoint;
import io.backedpipe.wire.Frame;
import java.time.Duration;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.javadsl.Flow;

/**
 * The chaos kit as a stage between a pipe and its transport: wraps any {@link Reconnector} and
 * puts a {@link ChaosLink} (over frames, {@link Sizer#FRAMES}) in every connection it makes, with
 * the same faults and schedule as {@link ChaosProxy}. Works over TCP and in memory alike.
 *
 * <pre>{@code
 * ChaosReconnector chaos = ChaosReconnector.wrap(system, tcpReconnector,
 *     ChaosSchedule.everyKind(Duration.ofMillis(100), 42));
 * var pipe = context.spawn(BackedPipe.create(chaos, settings), "pipe");
 * chaos.inject(Fault.CUT); // or let the schedule do it
 * }</pre>
 */
public final class ChaosReconnector implements Reconnector {
  private final Reconnector inner;
  private final ActorRef<ProxyController.Command> controller;
  private final ActorSystem<?> system;
  /** Link numbers; the pipe calls {@link #reconnect} from one actor, one attempt at a time. */
  private long ids;
  /** Set by {@link #stop}: new connections then get no link at all. */
  private final java.util.concurrent.atomic.AtomicBoolean stopped =
      new java.util.concurrent.atomic.AtomicBoolean();

  private ChaosReconnector(Reconnector inner, ActorRef<ProxyController.Command> controller,
      ActorSystem<?> system) {
    this.inner = inner;
    this.controller = controller;
    this.system = system;
  }

  /**
   * Wraps a reconnector.
   *
   * @param system runs the controller
   * @param inner makes the connections
   * @param schedule when to inject faults by itself ({@link ChaosSchedule#none()} for never)
   * @return the wrapping reconnector
   */
  public static ChaosReconnector wrap(ActorSystem<?> system, Reconnector inner,
      ChaosSchedule schedule) {
    return new ChaosReconnector(inner, system.systemActorOf(ProxyController.create(schedule),
        "chaos-reconnector-" + UUID.randomUUID(), Props.empty()), system);
  }

  @Override
  public CompletionStage<Connection> reconnect(ResumePoint local) {
    long id = ++ids;
    return inner.reconnect(local).thenApply(connection -> {
      if (stopped.get()) {
        return connection;
      }
      ChaosLink<Frame> link = ChaosLink.shut(Sizer.FRAMES, "chaos-link-" + id);
      // top: the pipe's frames towards the transport; bottom: the transport's towards the pipe
      Flow<Frame, Frame, ?> frames = link.bidi().join(connection.frames())
          .watchTermination((mat, done) -> {
            done.whenComplete((d, e) -> controller.tell(new ProxyController.Unregister(id)));
            return mat;
          });
      controller.tell(new ProxyController.Register(id, link));
      return connection.withFrames(frames);
    });
  }

  /**
   * Applies a fault to every open connection now.
   *
   * @param fault what to do
   * @param duration how long a blackhole or stall lasts
   */
  public void inject(Fault fault, Duration duration) {
    controller.tell(new ProxyController.Inject(fault, duration));
  }

  /**
   * What it has done so far.
   *
   * @return the counts
   */
  public CompletionStage<ChaosStats> stats() {
    return AskPattern.ask(controller, ProxyController.GetStats::new, Duration.ofSeconds(5),
        system.scheduler());
  }

  /**
   * Resets every open connection and stops injecting faults; the reconnector still dials, with no
   * faults after this. Call it when the pipe is done, so the controller actor stops.
   */
  public void stop() {
    stopped.set(true);
    controller.tell(ProxyController.Shutdown.INSTANCE);
  }
}
