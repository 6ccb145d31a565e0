package io.backedpipe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.transport.TransportSettings;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The floors the benchmark prints beside the pipe's figures: what a plain Pekko TCP connection
 * costs in time and heap. Small counts; the figures themselves belong to the benchmark.
 */
class FloorBenchIT {
  private static final ActorTestKit KIT = ActorTestKit.create();

  @AfterAll
  static void stop() {
    KIT.shutdownTestKit();
  }

  @Test
  void shouldTimeEveryConnectToItsEchoedByte() throws Exception {
    Samples ms = FloorBench.connectAndEcho(KIT.system(), TransportSettings.create(KIT.system()),
        20);

    assertEquals(20, ms.count());
    assertTrue(ms.min() > 0, "a connect and an echo take time: " + ms.min());
  }

  @Test
  void shouldWeighTheActorsAndTheConnectionsOfTheBareShapeApart() throws Exception {
    FloorBench.Shape shape = FloorBench.bareShape(PekkoTuning.PEKKO_DEFAULT, 300);

    // Six actors per pipe weigh some KiB, a connection's two ends with their streams more.
    assertTrue(shape.actorBytes() > 1024, "actors: " + shape.actorBytes());
    assertTrue(shape.connectionBytes() > shape.actorBytes(), "connections: "
        + shape.connectionBytes() + ", actors: " + shape.actorBytes());
  }
}
