package io.backedpipe.examples;

import io.backedpipe.BackedPipe;
import io.backedpipe.PipeEvent;
import io.backedpipe.PipeSettings;
import io.backedpipe.Reconnector;
import io.backedpipe.server.PipeServer;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TransportSettings;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.stream.BoundedSourceQueue;
import org.apache.pekko.stream.QueueOfferResult;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * A pipe owned by an actor: the actor spawns it as its child, writes what it is told to say
 * through a queue, hears what the peer wrote as messages, and follows the pipe's events. The
 * {@code main} runs it against an echo server on loopback; {@code ExamplesTest} runs it in the
 * suite.
 */
public final class PipeInAnActor {
  private PipeInAnActor() {}

  // README:begin pipe-in-an-actor
  /** An actor that talks through a pipe and tells {@code listener} everything it hears. */
  static final class Talker extends AbstractBehavior<Talker.Command> {
    /** What the talker understands. */
    sealed interface Command {}

    /** Say {@code text} to the peer. */
    record Say(String text) implements Command {}

    /** The peer wrote {@code bytes}. */
    private record Heard(ByteString bytes) implements Command {}

    /** The pipe connected, lost its connection, closed... */
    private record Event(PipeEvent event) implements Command {}

    private final BoundedSourceQueue<ByteString> out;
    private final ActorRef<String> listener;

    static Behavior<Command> create(Reconnector reconnector, ActorRef<String> listener) {
      return Behaviors.setup(context -> new Talker(context, reconnector, listener));
    }

    private Talker(ActorContext<Command> context, Reconnector reconnector,
        ActorRef<String> listener) {
      super(context);
      this.listener = listener;
      ActorSystem<?> system = context.getSystem();
      BackedPipe pipe = BackedPipe.spawn(context, "pipe", reconnector, PipeSettings.create(system));
      pipe.subscribe(context.messageAdapter(PipeEvent.class, Event::new));
      pipe.connect(); // failures in between are events; the policy keeps trying
      // Writes go through a bounded queue: offer() never blocks the actor, and says when full.
      out = Source.<ByteString>queue(64).to(pipe.sink()).run(system);
      pipe.source().runWith(Sink.foreach(bytes -> context.getSelf().tell(new Heard(bytes))), system);
    }

    @Override
    public Receive<Command> createReceive() {
      return newReceiveBuilder()
          .onMessage(Say.class, say -> {
            if (out.offer(ByteString.fromString(say.text())) != QueueOfferResult.enqueued()) {
              listener.tell("not sent, the pipe is behind: " + say.text());
            }
            return this;
          })
          .onMessage(Heard.class, heard -> {
            listener.tell("heard: " + heard.bytes().utf8String());
            return this;
          })
          .onMessage(Event.class, event -> {
            if (event.event() instanceof PipeEvent.Connected) {
              listener.tell("connected");
            }
            return this;
          })
          .build();
    }
  }
  // README:end

  /**
   * Runs the talker against an echo server and prints what it heard.
   *
   * @param args none
   * @throws Exception if the example fails
   */
  public static void main(String[] args) throws Exception {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "talker");
    try {
      CompletableFuture<String> echoed = new CompletableFuture<>();
      ActorRef<String> printer = system.systemActorOf(Behaviors.receiveMessage(line -> {
        System.out.println(line);
        if (line.startsWith("heard: ")) {
          echoed.complete(line);
        }
        return Behaviors.same();
      }), "printer", org.apache.pekko.actor.typed.Props.empty());
      ActorRef<Talker.Command> talker = start(system, printer);
      talker.tell(new Talker.Say("hello through an actor"));
      echoed.get(10, TimeUnit.SECONDS);
    } finally {
      system.terminate();
    }
  }

  /**
   * Starts an echo server and a talker that dials it.
   *
   * @param system the actor system
   * @param listener who hears the talker
   * @return the talker
   * @throws Exception if the server cannot bind
   */
  static ActorRef<Talker.Command> start(ActorSystem<?> system, ActorRef<String> listener)
      throws Exception {
    PipeServer echo = PipeServer.bind(system, "127.0.0.1", 0,
            (id, pipe) -> pipe.source().runWith(pipe.sink(), system))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    Reconnector dialer =
        TcpReconnector.newStream(system, echo.address(), TransportSettings.create(system));
    return system.systemActorOf(Talker.create(dialer, listener), "talker",
        org.apache.pekko.actor.typed.Props.empty());
  }
}
