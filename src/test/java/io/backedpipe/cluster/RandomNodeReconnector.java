package io.backedpipe.cluster;

import io.backedpipe.Connection;
import io.backedpipe.Reconnector;
import io.backedpipe.ResumePoint;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TransportSettings;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.apache.pekko.actor.typed.ActorSystem;

/**
 * Dials a random node of a cluster for every link of one stream, as a load balancer would: the
 * first link asks to create the stream, every later one only resumes it (so a stream whose node
 * died is refused, never created afresh). Counts the links each node got.
 */
final class RandomNodeReconnector implements Reconnector {
  private final List<TcpReconnector> creating;
  private final List<TcpReconnector> resuming;
  private final Random random;
  private final AtomicIntegerArray links;
  /** Written when a link is up; the pipe asks for the next one only after it heard of that. */
  private boolean established;

  RandomNodeReconnector(ActorSystem<?> system, List<InetSocketAddress> nodes, UUID id,
      TransportSettings transport, long seed) {
    this.creating = nodes.stream()
        .map(node -> new TcpReconnector(system, node, id, true, transport)).toList();
    this.resuming = nodes.stream()
        .map(node -> new TcpReconnector(system, node, id, false, transport)).toList();
    this.random = new Random(seed);
    this.links = new AtomicIntegerArray(nodes.size());
  }

  @Override
  public CompletionStage<Connection> reconnect(ResumePoint local) {
    int node = random.nextInt(resuming.size());
    links.incrementAndGet(node);
    TcpReconnector dialer = established ? resuming.get(node) : creating.get(node);
    return dialer.reconnect(local).whenComplete((connection, error) -> {
      if (connection != null) {
        established = true;
      }
    });
  }

  /**
   * Links dialed to each node so far.
   *
   * @param node the node's index
   * @return the count
   */
  int links(int node) {
    return links.get(node);
  }
}
