package io.backedpipe.chaos;

import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicLongArray;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * A TCP proxy that breaks the connections through it: put it between a pipe's client and server
 * (or any two TCP peers) and reset, close or blackhole their connections, by hand with
 * {@link #inject} or by itself on a seeded {@link ChaosSchedule}. Half-closes pass through.
 * Given several targets (the nodes of a cluster, say), it forwards each new connection to one of
 * them chosen at random, seeded by the schedule's seed; by default there is one.
 *
 * <pre>{@code
 * ChaosProxy proxy = ChaosProxy.start(system, new InetSocketAddress("127.0.0.1", 0), server,
 *     new ChaosSchedule(Duration.ofMillis(250), 0.05, Duration.ofSeconds(1),
 *         Duration.ofSeconds(3), 42)).toCompletableFuture().get();
 * // dial proxy.address() instead of the server
 * proxy.inject(Fault.RESET);
 * }</pre>
 */
public final class ChaosProxy {
  private final Tcp.ServerBinding binding;
  private final ActorRef<ProxyController.Command> controller;
  private final ActorSystem<?> system;
  private final List<InetSocketAddress> targets;
  private final AtomicLongArray linksPerTarget;

  private ChaosProxy(Tcp.ServerBinding binding, ActorRef<ProxyController.Command> controller,
      ActorSystem<?> system, List<InetSocketAddress> targets, AtomicLongArray linksPerTarget) {
    this.binding = binding;
    this.controller = controller;
    this.system = system;
    this.targets = targets;
    this.linksPerTarget = linksPerTarget;
  }

  /**
   * Binds the proxy to one target.
   *
   * @param system the actor system that runs it
   * @param listen where to accept connections (port 0 for any free one)
   * @param target where to forward them
   * @param schedule when to inject faults by itself
   * @return the bound proxy
   */
  public static CompletionStage<ChaosProxy> start(ActorSystem<?> system,
      InetSocketAddress listen, InetSocketAddress target, ChaosSchedule schedule) {
    return start(system, listen, List.of(target), schedule);
  }

  /**
   * Binds the proxy to several targets: each new connection goes to one of them, chosen at
   * random from a source seeded by {@code schedule.seed()}.
   *
   * @param system the actor system that runs it
   * @param listen where to accept connections (port 0 for any free one)
   * @param targets where to forward them; not empty
   * @param schedule when to inject faults by itself, and the seed of the choice of target
   * @return the bound proxy
   * @throws IllegalArgumentException when there is no target
   */
  public static CompletionStage<ChaosProxy> start(ActorSystem<?> system,
      InetSocketAddress listen, List<InetSocketAddress> targets, ChaosSchedule schedule) {
    TargetChoice choice = new TargetChoice(targets, schedule.seed());
    AtomicLongArray linksPerTarget = new AtomicLongArray(choice.targets().size());
    ActorRef<ProxyController.Command> controller = system.systemActorOf(
        ProxyController.create(schedule), "chaos-proxy-" + UUID.randomUUID(), Props.empty());
    AtomicLong ids = new AtomicLong();
    return Tcp.get(system).bind(listen.getHostString(), listen.getPort(), 100,
            java.util.List.of(), true, Optional.empty())
        .to(Sink.foreach(incoming -> {
          long id = ids.incrementAndGet();
          int chosen = choice.next();
          linksPerTarget.incrementAndGet(chosen);
          ChaosLink<ByteString> link = ChaosLink.shut(Sizer.BYTES, "chaos-proxy-" + id);
          Flow<ByteString, ByteString, ?> upstream = Tcp.get(system).outgoingConnection(
              choice.targets().get(chosen), Optional.empty(), java.util.List.of(), true,
              Optional.empty(), Optional.empty());
          CompletionStage<Done> ended = incoming.handleWith(
              link.bidi().join(upstream).watchTermination(Keep.right()), system);
          controller.tell(new ProxyController.Register(id, link));
          ended.whenComplete((done, error) ->
              controller.tell(new ProxyController.Unregister(id)));
        }))
        .run(system)
        .thenApply(binding -> new ChaosProxy(binding, controller, system, choice.targets(),
            linksPerTarget));
  }

  /**
   * Where peers connect.
   *
   * @return the bound address
   */
  public InetSocketAddress address() {
    return binding.localAddress();
  }

  /**
   * How many connections the proxy has forwarded to each target so far.
   *
   * @return target to count, in the order the targets were given
   */
  public Map<InetSocketAddress, Long> linksPerTarget() {
    Map<InetSocketAddress, Long> counts = new LinkedHashMap<>();
    for (int i = 0; i < targets.size(); i++) {
      counts.merge(targets.get(i), linksPerTarget.get(i), Long::sum);
    }
    return counts;
  }

  /**
   * Applies a fault to every open connection now; a blackhole or stall lasts one second.
   *
   * @param fault what to do
   */
  public void inject(Fault fault) {
    inject(fault, Duration.ofSeconds(1));
  }

  /**
   * Applies a fault to every open connection now.
   *
   * @param fault what to do
   * @param blackhole how long a blackhole (or a stall, when the schedule has no interval) lasts
   */
  public void inject(Fault fault, Duration blackhole) {
    controller.tell(new ProxyController.Inject(fault, blackhole));
  }

  /**
   * What the proxy has done so far.
   *
   * @return the counts
   */
  public CompletionStage<ChaosStats> stats() {
    return AskPattern.ask(controller, ProxyController.GetStats::new, Duration.ofSeconds(5),
        system.scheduler());
  }

  /**
   * Stops accepting connections and resets the open ones.
   *
   * @return completes when unbound
   */
  public CompletionStage<Done> stop() {
    return binding.unbind().thenApply(unbound -> {
      controller.tell(ProxyController.Shutdown.INSTANCE); // after the last accepted connection
      return Done.getInstance();
    });
  }
}
