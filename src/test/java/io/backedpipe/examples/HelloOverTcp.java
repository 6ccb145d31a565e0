package io.backedpipe.examples;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.server.PipeServer;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TransportSettings;
import java.io.PrintStream;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A server and a client in one program, over TCP on loopback: the client says hello, the server
 * answers, both end their side, and the pipe closes cleanly ({@code COMPLETED}) by itself. Run it
 * with {@code main}; {@code ExamplesTest} runs it in the suite, and the README shows it.
 */
public final class HelloOverTcp {
  private HelloOverTcp() {}

  /**
   * Runs the example and prints what happened.
   *
   * @param args none
   * @throws Exception if the example fails
   */
  public static void main(String[] args) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "hello");
    try {
      run(system, System.out);
    } finally {
      system.terminate();
    }
  }

  /**
   * Runs the example in {@code system}.
   *
   * @param system the actor system
   * @param out where the client says what it saw, one line per step
   * @throws Exception if the example fails or takes more than 10 seconds
   */
  static void run(ActorSystem<?> system, PrintStream out) throws Exception {
    // README:begin hello-over-tcp
    // The server: each new pipe reads its client's hello, to the end, then says hello and ends.
    PipeServer server = PipeServer.bind(system, "127.0.0.1", 0, (id, pipe) ->
            pipe.source()
                .fold(ByteString.emptyByteString(), ByteString::concat)
                .map(hello -> ByteString.fromString("hello, client (you said: "
                    + hello.utf8String() + ")"))
                .runWith(pipe.sink(), system))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);

    // The client: a pipe to the server, as a system actor (inside an actor, pass its context).
    BackedPipe pipe = BackedPipe.spawn(system, "hello-client",
        TcpReconnector.newStream(system, server.address(), TransportSettings.create(system)),
        PipeSettings.create(system));
    CompletionStage<PipeEvent> closed = pipe.events().runWith(Sink.last(), system);
    pipe.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);

    CompletionStage<Done> delivered =        // completes once the server has read it all
        Source.single(ByteString.fromString("hello, server")).runWith(pipe.sink(), system);
    CompletionStage<ByteString> answer =     // completes at the server's end of stream
        pipe.source().runWith(Sink.fold(ByteString.emptyByteString(), ByteString::concat), system);

    delivered.toCompletableFuture().get(10, TimeUnit.SECONDS);
    out.println("the server has read our hello");
    ByteString read = answer.toCompletableFuture().get(10, TimeUnit.SECONDS);
    out.println("client read: " + read.utf8String());
    // Both sides ended and read everything: the pipe closes by itself, losing nothing.
    out.println("pipe: " + closed.toCompletableFuture().get(10, TimeUnit.SECONDS));
    server.unbind();
    // README:end
  }
}
