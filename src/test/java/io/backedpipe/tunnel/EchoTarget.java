package io.backedpipe.tunnel;

import java.net.InetSocketAddress;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Tcp;

/** A tunnel's target in a test: a TCP echo service that half-closes after the client's EOF. */
final class EchoTarget {
  private EchoTarget() {}

  /**
   * Binds an echo service on a free loopback port.
   *
   * @param system where it runs
   * @return its address
   */
  static InetSocketAddress start(ActorSystem<?> system) throws Exception {
    return Tcp.get(system).bind("127.0.0.1", 0, 100, List.of(), true, Optional.empty())
        .to(Sink.foreach(c -> c.handleWith(Flow.create(), system)))
        .run(system).toCompletableFuture().get(10, TimeUnit.SECONDS).localAddress();
  }
}
