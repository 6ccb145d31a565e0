package io.backedpipe.tunnel.mux;

import java.util.List;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/** What a stream's connection took is told a batch at a time, and its end once, however. */
class TakenReportTest {
  private static final ActorTestKit testKit = ActorTestKit.create();

  @AfterAll
  static void shutdown() {
    testKit.shutdownTestKit();
  }

  private static TakenReport report(int batch, TestProbe<Object> probe) {
    return new TakenReport(batch, taken -> probe.ref().tell(taken), () -> probe.ref().tell("end"));
  }

  @Test
  void shouldTellWhatWasTakenOnceABatchIsReachedAndTheEndOnce() {
    TestProbe<Object> probe = testKit.createTestProbe();
    Source.from(List.of(3, 4, 2, 9, 1)).map(n -> ByteString.fromArrayUnsafe(new byte[n]))
        .via(report(8, probe))
        .runWith(Sink.ignore(), testKit.system());
    probe.expectMessage(9); // 3 + 4 + 2
    probe.expectMessage(9);
    probe.expectMessage("end"); // the last byte is below a batch: not told
    probe.expectNoMessage();
  }

  @Test
  void shouldTellTheEndWhenTheConnectionStopsTaking() {
    TestProbe<Object> probe = testKit.createTestProbe();
    Source.repeat(ByteString.fromString("x")).via(report(1000, probe))
        .runWith(Sink.head(), testKit.system());
    probe.expectMessage("end");
    probe.expectNoMessage();
  }
}
