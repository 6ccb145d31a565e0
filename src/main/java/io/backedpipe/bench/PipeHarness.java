package io.backedpipe.bench;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.Reconnector;
import io.backedpipe.server.PipeServer;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TransportSettings;
import java.net.InetSocketAddress;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Props;

/**
 * A pipe server on loopback in a benchmark's actor system, and client pipes that dial it. Each
 * client registers, under its stream id, what the server's side of its pipe does (count, echo,
 * send), before it dials; the server hands every new pipe to its stream's handler.
 *
 * <p>Thread-safe: the handlers live in a concurrent map; the rest is fixed.
 */
final class PipeHarness implements AutoCloseable {
  private final ActorSystem<?> system;
  private final PipeServer server;
  private final PipeSettings pipeSettings;
  private final TransportSettings transport;
  private final Map<UUID, Consumer<BackedPipe>> handlers = new ConcurrentHashMap<>();

  private PipeHarness(ActorSystem<?> system, PipeSettings pipeSettings,
      TransportSettings transport) throws Exception {
    this.system = system;
    this.pipeSettings = pipeSettings;
    this.transport = transport;
    this.server = PipeServer.bind(system, "127.0.0.1", 0, ServerProbe.unlimitedFromOneAddress(system),
            pipeSettings, transport, (id, pipe) -> {
              Consumer<BackedPipe> handler = handlers.remove(id);
              if (handler != null) {
                handler.accept(pipe);
              }
            })
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * Binds a server with the system's pipe settings and the given transport settings.
   *
   * @param system the benchmark's actor system
   * @param transport the transport settings of the server and of every client
   * @return the harness
   * @throws Exception if the bind fails
   */
  static PipeHarness start(ActorSystem<?> system, TransportSettings transport) throws Exception {
    return new PipeHarness(system, PipeSettings.create(system), transport);
  }

  ActorSystem<?> system() {
    return system;
  }

  InetSocketAddress address() {
    return server.address();
  }

  TransportSettings transport() {
    return transport;
  }

  /**
   * A dialer of a new stream to this server.
   *
   * @param id the stream id
   * @param target where to dial (the server, or a proxy in front of it)
   * @return the reconnector
   */
  Reconnector dialer(UUID id, InetSocketAddress target) {
    return new TcpReconnector(system, target, id, true, transport);
  }

  /**
   * Spawns a client pipe for stream {@code id} that dials with {@code dialer}; the server's side
   * of the stream will be handed to {@code serverSide}. Not yet connected.
   *
   * @param id the stream id
   * @param dialer the client's reconnector
   * @param serverSide what the server does with its side of the pipe
   * @return the client pipe
   */
  BackedPipe client(UUID id, Reconnector dialer, Consumer<BackedPipe> serverSide) {
    handlers.put(id, serverSide);
    return BackedPipe.of(system.systemActorOf(BackedPipe.create(dialer, pipeSettings),
        "bench-pipe-" + id, Props.empty()), system);
  }

  @Override
  public void close() throws Exception {
    server.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
