package io.backedpipe.testing;

import io.backedpipe.Connection;
import io.backedpipe.PipeCommand;
import io.backedpipe.Reconnector;
import io.backedpipe.ResumePoint;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.pattern.StatusReply;

/**
 * A {@link Reconnector} that connects to an accepting pipe in the same actor system over a new
 * {@link TestLink} for every attempt, exchanging resume points (read position and history check)
 * as a real handshake would. Each new
 * link is first sent to {@code links}, so a test can cut, close or stall it.
 *
 * <p>Thread-safe; holds no state.
 *
 * <pre>{@code
 * var server = testKit.spawn(BackedPipe.createAccepting(settings));
 * TestProbe<TestLink> links = testKit.createTestProbe();
 * var client = testKit.spawn(BackedPipe.create(
 *     new InMemoryReconnector(testKit.system(), server, links.ref()), settings));
 * }</pre>
 */
public final class InMemoryReconnector implements Reconnector {
  private static final Duration ACCEPT_TIMEOUT = Duration.ofSeconds(10);

  private final ActorSystem<?> system;
  private final ActorRef<PipeCommand> peer;
  private final ActorRef<TestLink> links;

  /**
   * Creates the reconnector.
   *
   * @param system the actor system that runs the links
   * @param peer the accepting pipe
   * @param links who is told of every new link
   */
  public InMemoryReconnector(
      ActorSystem<?> system, ActorRef<PipeCommand> peer, ActorRef<TestLink> links) {
    this.system = system;
    this.peer = peer;
    this.links = links;
  }

  @Override
  public CompletionStage<Connection> reconnect(ResumePoint local) {
    TestLink link = TestLink.create(system);
    links.tell(link);
    CompletionStage<ResumePoint> peerPoint =
        AskPattern.askWithStatus(
            peer,
            (ActorRef<StatusReply<ResumePoint>> replyTo) ->
                new PipeCommand.Accept(new Connection(local, link.sideB()), replyTo),
            ACCEPT_TIMEOUT,
            system.scheduler());
    return peerPoint
        .whenComplete((position, error) -> {
          if (error != null) {
            link.cut(); // the peer may have attached side B before it failed: end it too
          }
        })
        .thenApply(point -> new Connection(point, link.sideA()));
  }
}
