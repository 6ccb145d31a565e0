package io.backedpipe.transport;

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
 * A TCP proxy on loopback that a test can use to break the link between a client and a server:
 * cut every connection (both ends fail), or blackhole them (bytes stop, nothing closes).
 */
final class TcpProxy {
  /** One proxied connection. */
  private record Link(SharedKillSwitch killSwitch, AtomicReference<CompletableFuture<Done>> gate) {}

  private final List<Link> links = new CopyOnWriteArrayList<>();
  private final Tcp.ServerBinding binding;

  private TcpProxy(ActorSystem<?> system, InetSocketAddress target) throws Exception {
    this.binding = Tcp.get(system).bind("127.0.0.1", 0)
        .to(Sink.foreach(incoming -> {
          Link link = new Link(KillSwitches.shared("proxy"),
              new AtomicReference<>(CompletableFuture.completedFuture(Done.getInstance())));
          links.add(link);
          Flow<ByteString, ByteString, ?> upstream = Tcp.get(system).outgoingConnection(
              target.getHostString(), target.getPort());
          incoming.handleWith(gated(link).via(link.killSwitch().flow()).via(upstream)
              .via(link.killSwitch().flow()).via(gated(link)), system);
        }))
        .run(system)
        .toCompletableFuture().get(5, TimeUnit.SECONDS);
  }

  static TcpProxy start(ActorSystem<?> system, InetSocketAddress target) throws Exception {
    return new TcpProxy(system, target);
  }

  private static Flow<ByteString, ByteString, NotUsed> gated(Link link) {
    return Flow.<ByteString>create().mapAsync(1, bytes -> link.gate().get().thenApply(d -> bytes));
  }

  InetSocketAddress address() {
    return binding.localAddress();
  }

  /** Resets every open connection (both ends see a failure). */
  void cutAll() {
    for (Link link : links) {
      link.killSwitch().abort(new IOException("proxy cut"));
      links.remove(link);
    }
  }

  /** Stops forwarding on every open connection without closing it; new ones still work. */
  void blackholeAll() {
    for (Link link : links) {
      link.gate().set(new CompletableFuture<>());
    }
  }

  int openLinks() {
    return links.size();
  }

  void unbind() throws Exception {
    cutAll();
    binding.unbind().toCompletableFuture().get(5, TimeUnit.SECONDS);
  }
}
