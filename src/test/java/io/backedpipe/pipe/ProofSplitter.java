package io.backedpipe.pipe;

import io.backedpipe.PipeCommand;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A stand-in supervisor for a child under test that sends {@link PipeSupervisor.LinkProved} to its
 * own probe and everything else to the supervisor probe, so the tests of other reports need not
 * step over the proofs (which a child sends once per connection, at its first progress).
 */
final class ProofSplitter {
  private ProofSplitter() {}

  /**
   * Spawns the splitter.
   *
   * @param testKit the test kit
   * @param rest receives every report but the proofs
   * @param proofs receives the proofs
   * @return the ref to hand the child as its supervisor
   */
  static ActorRef<PipeCommand> spawn(ActorTestKit testKit,
      TestProbe<PipeCommand> rest, TestProbe<PipeSupervisor.LinkProved> proofs) {
    return testKit.spawn(Behaviors.receive(PipeCommand.class)
        .onMessage(PipeSupervisor.LinkProved.class, m -> forward(proofs.ref(), m))
        .onAnyMessage(m -> forward(rest.ref(), m))
        .build());
  }

  private static <T> org.apache.pekko.actor.typed.Behavior<PipeCommand> forward(
      ActorRef<T> to, T message) {
    to.tell(message);
    return Behaviors.same();
  }
}
