package io.backedpipe.bench;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import io.backedpipe.transport.TransportSettings;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.stream.Stream;
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
  void shouldTimeEveryConnectToItsFirstByteAndLeaveNoConnectionOpen() throws Exception {
    long socketsBefore = openSockets();

    Samples ms = FloorBench.connectToFirstByte(KIT.system(),
        TransportSettings.create(KIT.system()), 20);

    assertEquals(20, ms.count());
    assertTrue(ms.min() > 0, "a connect takes time: " + ms.min());
    // 40 connections were made (20 unmeasured): each closes at both ends once its byte is in.
    // Left open, they were 80 sockets more.
    KIT.createTestProbe().awaitAssert(Duration.ofSeconds(10), () -> {
      long more = openSockets() - socketsBefore;
      assertTrue(more <= 4, more + " sockets more than before the 40 connections");
      return null;
    });
  }

  /** The sockets this JVM holds open (Linux: its file descriptors that are sockets). */
  private static long openSockets() throws IOException {
    try (Stream<Path> fds = Files.list(Path.of("/proc/self/fd"))) {
      return fds.filter(fd -> {
        try {
          return Files.readSymbolicLink(fd).toString().startsWith("socket:");
        } catch (IOException gone) {
          return false; // closed while listed
        }
      }).count();
    }
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
