package io.backedpipe.bench;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.SharedKillSwitch;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;
import org.apache.pekko.util.ByteString;

/**
 * A TCP proxy on loopback between a client and the server, for faults that only the network can
 * make: a reset of every connection (both ends see it fail) and a blackhole (bytes stop both
 * ways, nothing closes, so only the heartbeat can tell). Used for the outage figures; the
 * throughput cases abort at the client instead ({@link AbortableReconnector}), without the extra
 * hop.
 *
 * <p>Thread-safe: the open links are kept in a concurrent list, each link's gate in an
 * {@code AtomicReference}, because the benchmark calls from its own thread.
 */
final class FaultProxy implements AutoCloseable {
  /** One proxied connection. */
  private record Link(SharedKillSwitch killSwitch,
      AtomicReference<CompletableFuture<Done>> gate) {}

  private final List<Link> links = new CopyOnWriteArrayList<>();
  private final Tcp.ServerBinding binding;

  /**
   * Starts a proxy to {@code target}.
   *
   * @param system the actor system that runs it
   * @param target where every connection is forwarded
   * @throws Exception if it cannot bind
   */
  FaultProxy(ActorSystem<?> system, InetSocketAddress target) throws Exception {
    this.binding = Tcp.get(system).bind("127.0.0.1", 0)
        .to(Sink.foreach(incoming -> {
          Link link = new Link(KillSwitches.shared("proxy"), new AtomicReference<>(
              CompletableFuture.completedFuture(Done.getInstance())));
          links.add(link);
          Flow<ByteString, ByteString, ?> upstream =
              Tcp.get(system).outgoingConnection(target.getHostString(), target.getPort());
          incoming.handleWith(gated(link).via(link.killSwitch().flow()).via(upstream)
              .via(link.killSwitch().flow()).via(gated(link)), system);
        }))
        .run(system)
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static Flow<ByteString, ByteString, NotUsed> gated(Link link) {
    return Flow.<ByteString>create()
        .mapAsync(1, bytes -> link.gate().get().thenApply(open -> bytes));
  }

  InetSocketAddress address() {
    return binding.localAddress();
  }

  /** Resets every open connection: both ends see it fail. */
  void resetAll() {
    for (Link link : links) {
      link.killSwitch().abort(new IOException("reset by the benchmark's proxy"));
      links.remove(link);
    }
  }

  /** Stops forwarding on every open connection without closing it; new ones still work. */
  void blackholeAll() {
    for (Link link : links) {
      link.gate().set(new CompletableFuture<>());
      links.remove(link);
    }
  }

  @Override
  public void close() throws Exception {
    resetAll();
    binding.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }
}
