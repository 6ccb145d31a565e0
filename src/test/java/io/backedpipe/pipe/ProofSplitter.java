package io.backedpipe.pipe;

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
  static ActorRef<PipeSupervisor.Command> spawn(ActorTestKit testKit,
      TestProbe<PipeSupervisor.Command> rest, TestProbe<PipeSupervisor.LinkProved> proofs) {
    return testKit.spawn(Behaviors.receive(PipeSupervisor.Command.class)
        .onMessage(PipeSupervisor.LinkProved.class, m -> forward(proofs.ref(), m))
        .onAnyMessage(m -> forward(rest.ref(), m))
        .build());
  }

  private static <T> org.apache.pekko.actor.typed.Behavior<PipeSupervisor.Command> forward(
      ActorRef<T> to, T message) {
    to.tell(message);
    return Behaviors.same();
  }
}
