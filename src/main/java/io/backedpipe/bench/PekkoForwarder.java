package io.backedpipe.bench;

import io.backedpipe.transport.TransportSettings;
import java.net.InetSocketAddress;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;

/**
 * A port forward in plain Pekko Streams TCP: every accepted connection is joined to a new
 * outgoing connection to the target, nothing between. It is the floor for anything built on the
 * same runtime (the tunnel adds a second hop, a handshake and its actors on top of two of these
 * connections), so the benchmark shows what is Pekko's cost and what is ours.
 */
final class PekkoForwarder implements AutoCloseable {
  private final Tcp.ServerBinding binding;

  /**
   * Binds a loopback port forwarding to {@code target}.
   *
   * @param system the actor system that runs the connections
   * @param target where every connection goes
   * @throws Exception if the port cannot be bound within 10 s
   */
  PekkoForwarder(ActorSystem<?> system, InetSocketAddress target) throws Exception {
    Tcp tcp = Tcp.get(system);
    // the tunnel's socket options (TCP_NODELAY and the buffers), so the rows compare like for like
    var options = TransportSettings.create(system).socketOptions();
    binding = tcp.bind("127.0.0.1", 0, 1024, options, true, Optional.empty())
        .to(Sink.foreach(incoming -> incoming.handleWith(
            tcp.outgoingConnection(target, Optional.empty(), options, true,
                Optional.empty(), Optional.empty()),
            system)))
        .run(system)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  /**
   * The address clients connect to.
   *
   * @return the bound address
   */
  InetSocketAddress address() {
    return binding.localAddress();
  }

  @Override
  public void close() throws Exception {
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
