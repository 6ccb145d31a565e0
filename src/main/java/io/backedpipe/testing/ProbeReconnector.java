package io.backedpipe.testing;

import io.backedpipe.Connection;
import io.backedpipe.PipeCommand;
import io.backedpipe.Reconnector;
import io.backedpipe.ResumePoint;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * A {@link Reconnector} that hands every connect request to an actor, typically a
 * {@code TestProbe}, so a test decides what each attempt returns and when.
 *
 * <p>Thread-safe; holds no state.
 *
 * <pre>{@code
 * TestProbe<ProbeReconnector.Request> dials = testKit.createTestProbe();
 * var pipe = testKit.spawn(BackedPipe.create(new ProbeReconnector(dials.ref()), settings));
 * pipe.tell(new PipeCommand.Connect(replies.ref()));
 * dials.expectMessageClass(ProbeReconnector.Request.class).succeed(link.connectionA(0));
 * }</pre>
 */
public final class ProbeReconnector implements Reconnector {
  private final ActorRef<Request> requests;

  /**
   * One call of the reconnector, waiting for the test's answer.
   *
   * @param local the resume point the pipe reported
   * @param reply completes the call
   */
  public record Request(ResumePoint local, CompletableFuture<Connection> reply) {

    /**
     * The read position the pipe reported.
     *
     * @return the bytes it has received
     */
    public long localReadPosition() {
      return local.position();
    }

    /**
     * Answers the call with a connection.
     *
     * @param connection the connection and the peer's position
     */
    public void succeed(Connection connection) {
      reply.complete(connection);
    }

    /**
     * Fails the call.
     *
     * @param error why
     */
    public void fail(Throwable error) {
      reply.completeExceptionally(error);
    }
  }

  /**
   * Creates the reconnector.
   *
   * @param requests who receives each call
   */
  public ProbeReconnector(ActorRef<Request> requests) {
    this.requests = requests;
  }

  @Override
  public CompletionStage<Connection> reconnect(ResumePoint local) {
    CompletableFuture<Connection> reply = new CompletableFuture<>();
    requests.tell(new Request(local, reply));
    return reply;
  }
}
