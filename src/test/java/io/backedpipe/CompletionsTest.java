package io.backedpipe;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;

import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** Completion stages whose dependent actions run where they complete (issue 13). */
class CompletionsTest {
  static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private sealed interface Command {}

  private record Ask(ActorRef<String> replyTo, CompletableFuture<Thread> answeredOn)
      implements Command {}

  /** Answer the ask now: the test has hung its action on the answer by then. */
  private record Answer(Ask ask) implements Command {}

  /**
   * An ask's answer is a Scala future converted to a {@code CompletableFuture} that runs every
   * dependent action on {@code CompletableFuture}'s default executor, which on a two-core machine
   * starts a new thread for each; through {@link Completions#direct} the action runs on the
   * answering actor's thread, as it answers.
   */
  @Test
  void shouldRunDependentActionsOnTheThreadThatCompletesTheStage() throws Exception {
    CompletableFuture<Ask> asked = new CompletableFuture<>();
    ActorRef<Command> answering = testKit.spawn(Behaviors.receiveMessage(command -> {
      if (command instanceof Ask ask) {
        asked.complete(ask);
      } else if (command instanceof Answer answer) {
        answer.ask().answeredOn().complete(Thread.currentThread());
        answer.ask().replyTo().tell("answer");
      }
      return Behaviors.same();
    }));
    CompletableFuture<Thread> answeredOn = new CompletableFuture<>();
    CompletableFuture<Thread> actedOn = new CompletableFuture<>();
    Completions.direct(AskPattern.<Command, String>ask(answering,
            replyTo -> new Ask(replyTo, answeredOn), Duration.ofSeconds(10),
            testKit.system().scheduler()))
        .whenComplete((answer, error) -> actedOn.complete(Thread.currentThread()));
    answering.tell(new Answer(asked.get(10, TimeUnit.SECONDS)));
    assertSame(answeredOn.get(10, TimeUnit.SECONDS), actedOn.get(10, TimeUnit.SECONDS));
  }

  @Test
  void shouldPassOnTheValueOrTheFailure() throws Exception {
    assertEquals("v", Completions.direct(CompletableFuture.completedFuture("v")).get());
    IllegalStateException failure = new IllegalStateException("failed");
    CompletableFuture<String> failed = Completions.direct(CompletableFuture.failedFuture(failure));
    assertSame(failure, failed.handle((value, error) -> error).get());
  }
}
