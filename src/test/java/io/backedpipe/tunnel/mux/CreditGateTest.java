package io.backedpipe.tunnel.mux;

import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** The gate lets a stream's bytes through as far as the credit goes, in slices, and no further. */
class CreditGateTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static ByteString bytes(int n) {
    return ByteString.fromArrayUnsafe(new byte[n]);
  }

  /** Runs {@code elements} through a gate; each element's size, then "done", goes to the probe. */
  private static CreditGate.Credit run(List<ByteString> elements, long credit, int maxChunk,
      TestProbe<Object> probe) {
    Pair<CreditGate.Credit, java.util.concurrent.CompletionStage<Done>> run =
        Source.from(elements)
            .viaMat(new CreditGate(credit, maxChunk), Keep.right())
            .toMat(Sink.foreach(b -> probe.ref().tell(b.size())), Keep.both())
            .run(testKit.system());
    run.second().thenRun(() -> probe.ref().tell("done"));
    return run.first();
  }

  @Test
  void shouldLetThroughOnlyTheCreditThenTheRestAsItIsGranted() {
    TestProbe<Object> probe = testKit.createTestProbe();
    CreditGate.Credit credit = run(List.of(bytes(10), bytes(25)), 16, 1024, probe);
    probe.expectMessage(10);
    probe.expectMessage(6); // the credit ends inside the second element
    probe.expectNoMessage();
    credit.grant(5);
    probe.expectMessage(5);
    probe.expectNoMessage();
    credit.grant(100);
    probe.expectMessage(14);
    probe.expectMessage("done"); // upstream ended, and nothing is held back
  }

  @Test
  void shouldCutElementsAtTheLargestChunk() {
    TestProbe<Object> probe = testKit.createTestProbe();
    run(List.of(bytes(10)), 100, 4, probe);
    probe.expectMessage(4);
    probe.expectMessage(4);
    probe.expectMessage(2);
    probe.expectMessage("done");
  }
}
