package io.backedpipe.bench;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.server.PipeRegistry;
import io.backedpipe.server.PipeServer;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.transport.TransportSettings;
import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.lang.management.MemoryUsage;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.List;
import java.util.Queue;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * The server side of the memory case, run by {@link MemoryBench} as a child JVM with its own heap
 * limit ({@code -Xmx1g}), so that what one server holds is measured alone. It binds a pipe server on
 * loopback whose every pipe stays idle (nobody reads or writes), prints {@code port <n>}, and then
 * answers each {@code heap} line on its standard input with {@code heap <used-after-gc> <max>
 * <pipes>}; it exits at {@code quit} or at the end of its input.
 */
public final class ServerProbe {
  /** The argument after the tuning that makes every hosted pipe echo what it reads. */
  static final String ECHO = "echo";

  private ServerProbe() {}

  /**
   * The server's settings without its per-address guards: the benchmark opens thousands of pipes
   * from one address on purpose, which the defaults (16 handshakes at once, 10 creations a second)
   * would refuse as a flood.
   *
   * @param system the actor system whose configuration has the other settings
   * @return the settings
   */
  static ServerSettings unlimitedFromOneAddress(ActorSystem<?> system) {
    ServerSettings defaults = ServerSettings.create(system);
    return defaults.withMaxHandshakes(defaults.maxHandshakes(), defaults.maxHandshakes())
        .withCreateRate(1_000_000, 1_000_000);
  }

  /**
   * Runs the probe.
   *
   * @param args the parent's {@link PekkoTuning#probeArguments()}, then {@value #ECHO} or nothing
   * @throws Exception if the server cannot start
   */
  public static void main(String[] args) throws Exception {
    PekkoTuning buffers = PekkoTuning.fromProbeArguments(args);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "server-probe",
        buffers.config());
    boolean echo = args.length > 3 && args[3].equals(ECHO);
    // The echoing pipes, to wait for their acknowledgements before measuring (callback thread).
    Queue<BackedPipe> echoing = new ConcurrentLinkedQueue<>();
    PipeServer server = PipeServer.bind(system, "127.0.0.1", 0, unlimitedFromOneAddress(system),
            PipeSettings.create(system), TransportSettings.create(system), (id, pipe) -> {
              if (echo) {
                pipe.source().runWith(pipe.sink(), system);
                echoing.add(pipe);
              }
            })
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    System.out.println("port " + server.address().getPort());
    System.out.flush();
    BufferedReader in = new BufferedReader(new InputStreamReader(System.in,
        StandardCharsets.UTF_8));
    for (String line; (line = in.readLine()) != null && !line.equals("quit"); ) {
      if (line.equals("heap")) {
        int pipes = AskPattern.<PipeRegistry.Command, Integer>ask(server.registry(),
                PipeRegistry.CountPipes::new, Duration.ofSeconds(30), system.scheduler())
            .toCompletableFuture().get(60, TimeUnit.SECONDS);
        MemoryBench.awaitAcknowledged(List.copyOf(echoing));
        MemoryUsage heap = MemoryBench.heapAfterGc();
        System.out.println("heap " + heap.getUsed() + " " + heap.getMax() + " " + pipes);
        System.out.flush();
      }
    }
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    System.exit(0);
  }
}
