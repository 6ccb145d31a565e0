package io.backedpipe.tunnel;

import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.File;
import java.time.Duration;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import java.io.IOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;

/** The tool run as a user runs it: its own JVM, its own logging, its output in files. */
final class ToolProcesses {
  private ToolProcesses() {}

  static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0)) {
      return socket.getLocalPort();
    }
  }

  /** Starts the tool with {@code args}; its output goes to {@code name}.out and .err. */
  static Process tool(Path dir, String name, String... args) throws IOException {
    List<String> command = new ArrayList<>(List.of(
        ProcessHandle.current().info().command().orElse("java"), "-Xmx256m",
        // Short-lived tools on a small machine: C1 only and the serial collector start them
        // sooner (the three tests that run tool processes took 44 s instead of 55 s).
        "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC",
        // the tool's logging, not the tests' (logback-test.xml is on this classpath too)
        "-Dlogback.configurationFile="
            + new File("src/main/resources/logback.xml").getAbsolutePath(),
        "-cp", System.getProperty("java.class.path"), "io.backedpipe.cli.Main"));
    command.addAll(List.of(args));
    return new ProcessBuilder(command)
        .redirectOutput(dir.resolve(name + ".out").toFile())
        .redirectError(dir.resolve(name + ".err").toFile())
        .start();
  }

  /** Waits until the tool process {@code name} printed {@code banner} (it listens then). */
  static void awaitBanner(ActorTestKit testKit, Duration within, Path dir, String name,
      Process process, String banner) {
    testKit.createTestProbe().awaitAssert(within, () -> {
      assertTrue(process.isAlive(), name + " exited: " + read(dir, name + ".err"));
      assertTrue(read(dir, name + ".out").contains(banner), name + " has not started yet");
      return null;
    });
  }

  /** What a tool process wrote to {@code file} so far, or nothing. */
  static String read(Path dir, String file) {
    try {
      return Files.readString(dir.resolve(file));
    } catch (IOException e) {
      return "";
    }
  }
}
