package io.backedpipe.bench;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.backedpipe.chaos.ChaosProxy;
import io.backedpipe.chaos.ChaosSchedule;
import io.backedpipe.chaos.LinkConditions;
import io.backedpipe.tunnel.ConnectTunnel;
import io.backedpipe.tunnel.ServeTunnel;
import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.lang.management.ManagementFactory;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Latency through the tunnel, the way an application sees it: a new connection to the local port
 * of {@code connect} until its first byte comes back from an echo target behind {@code serve}, and
 * one byte back and forth on a connection that is already open. The same client measures, in the
 * same rounds, a plain-socket forwarder (thread per connection, what {@code ssh -L} or
 * {@code socat} do without crypto), a forwarder in plain Pekko Streams TCP (the floor on this
 * runtime), {@code ssh -L} and {@code socat} themselves where the machine has them
 * ({@link ExternalForwarders}), and the echo target dialed directly.
 *
 * <p>The paths take turns within every round (tunnel, forwarders, direct; then again), so that load
 * from elsewhere on the machine spreads over all of them.
 */
final class TunnelBench {
  /** The tunnel's row. */
  static final String TUNNEL = "backed-pipe tunnel (connect -> serve -> echo)";
  /** The plain forwarder's row. */
  static final String FORWARDER = "plain-socket forwarder, thread per connection";
  /** The Pekko Streams forwarder's row. */
  static final String PEKKO = "Pekko Streams TCP forwarder (bind -> outgoingConnection)";
  /** The direct row. */
  static final String DIRECT = "echo target directly (no forwarder)";

  private static final com.sun.management.OperatingSystemMXBean PROCESS =
      (com.sun.management.OperatingSystemMXBean) ManagementFactory.getOperatingSystemMXBean();

  private TunnelBench() {}

  /**
   * The configuration of the tunnel's actor system: {@code buffers}' Pekko settings, the tool's
   * reconnect backoff, and no per-address stream creation limit (every stream of the benchmark
   * comes from 127.0.0.1, and the server's default of 10 a second, 20 at once, would answer most
   * of them {@code LIMIT_REACHED} and measure the backoff).
   *
   * @param buffers the Pekko settings
   * @return the configuration
   */
  static Config config(PekkoTuning buffers) {
    return ConfigFactory.parseString("""
            backed-pipe.reconnect.min-backoff = 10ms
            backed-pipe.reconnect.max-backoff = 1s
            backed-pipe.server.create-rate-per-address = 1000000
            backed-pipe.server.create-burst-per-address = 1000000
            """)
        .withFallback(buffers.config())
        .resolve();
  }

  /**
   * What the report says under the table: how CPU is counted, and which external forwarders were
   * measured or left out.
   *
   * @param skipped the external forwarders left out, and why
   * @return the paragraphs
   */
  static String notes(List<String> skipped) {
    return "CPU ms per new stream: the whole process's CPU time (both tunnel ends, the target,"
        + " the client, the JIT and the garbage collector) while the path opened its streams,"
        + " divided by their number; more than the latency means both cores were busy. External"
        + " forwarders (`ssh -L`, `socat`) run as processes of their own, whose CPU is not"
        + " counted.\n\n"
        + (skipped.isEmpty() ? "External forwarders: `ssh -L` and `socat` measured."
            : "External forwarders not measured: " + String.join("; ", skipped) + ". The"
                + " plain-socket forwarder stands in for them without their crypto and process"
                + " hops.");
  }

  /**
   * The results of every path, and the external forwarders that could not be measured.
   *
   * @param results one per path, tunnel first
   * @param skipped the external forwarders left out, and why
   */
  record Outcome(List<Result> results, List<String> skipped) {}

  /**
   * The samples of one path, in milliseconds.
   *
   * @param path the row's name
   * @param firstByte from the start of the TCP connect to the first echoed byte, per new stream
   * @param pingPong one byte written and read back on an open stream
   * @param cpuMillisPerStream CPU time of the whole process (both tunnel ends, the target, the
   *     client) per new stream, while this path opened its streams
   */
  record Result(String path, Samples firstByte, Samples pingPong, double cpuMillisPerStream) {}

  /**
   * Runs every path {@code rounds} times in turn after a warm-up.
   *
   * @param system the actor system of both tunnel ends
   * @param streams new streams per path, over all rounds
   * @param pings round trips per path, over all rounds
   * @param rounds how many times the paths take turns
   * @param warmUp how long the tunnel opens streams and bounces bytes before the rounds (each path
   *     also has a short warm-up of its own)
   * @return one result per path, tunnel first, and what was left out
   * @throws Exception if a path fails
   */
  static Outcome run(ActorSystem<?> system, int streams, int pings, int rounds,
      Duration warmUp) throws Exception {
    try (PlainForwarders.Echo echo = new PlainForwarders.Echo();
        PlainForwarders.Forwarder forwarder = new PlainForwarders.Forwarder(echo.address());
        PekkoForwarder pekko = new PekkoForwarder(system, echo.address());
        ExternalForwarders external = new ExternalForwarders(echo.address())) {
      InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
      ServeTunnel serve = ServeTunnel.start(system, loopback, echo.address(), Optional.empty())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      ConnectTunnel connect = ConnectTunnel.start(system, loopback, serve.address(),
          Optional.empty()).toCompletableFuture().get(10, TimeUnit.SECONDS);
      try {
        Map<String, InetSocketAddress> paths = new LinkedHashMap<>();
        paths.put(TUNNEL, connect.address());
        paths.put(FORWARDER, forwarder.address());
        paths.put(PEKKO, pekko.address());
        paths.putAll(external.rows());
        paths.put(DIRECT, echo.address());
        Map<String, List<Double>> firstByte = new LinkedHashMap<>();
        Map<String, List<Double>> pingPong = new LinkedHashMap<>();
        Map<String, Long> cpuNanos = new LinkedHashMap<>();
        // The JIT compiles the tunnel's per-stream code for tens of seconds of this load (a
        // new stream cost 8-11 ms of CPU after 5 s, 5 ms after 40 s): measure it compiled.
        long warmUntil = System.nanoTime() + warmUp.toNanos();
        while (System.nanoTime() - warmUntil < 0) {
          newStreams(connect.address(), 100, new ArrayList<>());
          pingPong(connect.address(), 500, new ArrayList<>());
        }
        for (String path : paths.keySet()) { // warm-up, not counted
          newStreams(paths.get(path), Math.max(20, streams / 10), new ArrayList<>());
          pingPong(paths.get(path), Math.max(200, pings / 10), new ArrayList<>());
          firstByte.put(path, new ArrayList<>());
          pingPong.put(path, new ArrayList<>());
          cpuNanos.put(path, 0L);
        }
        for (int round = 0; round < rounds; round++) {
          for (String path : paths.keySet()) {
            long cpu = newStreams(paths.get(path), share(streams, rounds, round),
                firstByte.get(path));
            cpuNanos.merge(path, cpu, Long::sum);
            pingPong(paths.get(path), share(pings, rounds, round), pingPong.get(path));
          }
        }
        List<Result> results = new ArrayList<>();
        for (String path : paths.keySet()) {
          results.add(new Result(path, samples(firstByte.get(path)),
              samples(pingPong.get(path)), cpuNanos.get(path) / 1e6 / streams));
        }
        return new Outcome(results, external.skipped());
      } finally {
        connect.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        serve.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    }
  }

  /**
   * New streams across a long link: a proxy between {@code connect} and {@code serve} (and between
   * {@code ssh} and its daemon) delays every byte by {@code oneWay} in each direction, as a link
   * of twice that round trip would. The proxy does not delay TCP's own handshake, so what is
   * measured is the round trips each protocol makes on its established connection before a new
   * stream's first byte comes back: the tunnel sends a stream's first bytes with its {@code OPEN},
   * {@code ssh -L} waits for its channel to be confirmed. The echo target sits at the server's end,
   * as an SSH daemon would.
   *
   * @param system the actor system of both tunnel ends (the proxies run in one of their own, whose
   *     scheduler ticks every 1 ms)
   * @param streams new streams per path, after a few unmeasured
   * @param oneWay the delay each way
   * @return per path measured, tunnel first, its new streams' milliseconds; and what was left out
   * @throws Exception if a path fails
   */
  static LongLink overLongLink(ActorSystem<?> system, int streams, Duration oneWay)
      throws Exception {
    ChaosSchedule longLink = ChaosSchedule.none()
        .withConditions(LinkConditions.NONE.withLatency(oneWay));
    InetSocketAddress loopback = new InetSocketAddress("127.0.0.1", 0);
    // The proxies' delays run on their system's scheduler: with Pekko's 10 ms tick a 25 ms delay
    // made a round trip of about 100 ms, not 50; with a 1 ms tick about 55.
    ActorSystem<Void> linkSystem = ActorSystem.create(Behaviors.empty(), "bench-long-link",
        ConfigFactory.parseString("pekko.scheduler.tick-duration = 1ms")
            .withFallback(system.settings().config()));
    UnaryOperator<InetSocketAddress> across = to -> {
      try {
        return ChaosProxy.start(linkSystem, loopback, to, longLink)
            .toCompletableFuture().get(10, TimeUnit.SECONDS).address();
      } catch (Exception e) {
        throw new IllegalStateException("the long link's proxy did not start: " + e, e);
      }
    };
    try (PlainForwarders.Echo echo = new PlainForwarders.Echo();
        ExternalForwarders external = new ExternalForwarders(echo.address(), across, false)) {
      ServeTunnel serve = ServeTunnel.start(system, loopback, echo.address(), Optional.empty())
          .toCompletableFuture().get(10, TimeUnit.SECONDS);
      ConnectTunnel connect = null;
      try {
        connect = ConnectTunnel.start(system, loopback, across.apply(serve.address()),
            Optional.empty()).toCompletableFuture().get(10, TimeUnit.SECONDS);
        Map<String, InetSocketAddress> paths = new LinkedHashMap<>();
        paths.put(TUNNEL, connect.address());
        paths.putAll(external.rows());
        // The link's round trip as the proxy makes it: one byte back and forth across it.
        List<Double> roundTrips = new ArrayList<>();
        pingPong(across.apply(echo.address()), 20, roundTrips);
        Map<String, Samples> firstByte = new LinkedHashMap<>();
        for (Map.Entry<String, InetSocketAddress> path : paths.entrySet()) {
          newStreams(path.getValue(), Math.max(2, streams / 10), new ArrayList<>()); // warm-up
          List<Double> ms = new ArrayList<>();
          newStreams(path.getValue(), streams, ms);
          firstByte.put(path.getKey(), samples(ms));
        }
        return new LongLink(oneWay, samples(roundTrips), firstByte, external.skipped());
      } finally {
        if (connect != null) {
          connect.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
        }
        serve.stop().toCompletableFuture().get(10, TimeUnit.SECONDS);
      }
    } finally {
      linkSystem.terminate(); // its proxies with it
      linkSystem.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * New streams across a long link, per path.
   *
   * @param oneWay the link's delay each way, as asked of the proxy
   * @param roundTrip the link's round trip as measured: one byte to the echo target and back
   *     across the proxy, milliseconds
   * @param firstByte per path, tunnel first: each new stream's milliseconds to its first echoed
   *     byte
   * @param skipped the external forwarders left out, and why
   */
  record LongLink(Duration oneWay, Samples roundTrip, Map<String, Samples> firstByte,
      List<String> skipped) {
    /**
     * The Markdown rows, each also in round trips of the link (its measured median).
     *
     * @return the table, header included
     */
    String table() {
      double roundTripMs = roundTrip.percentile(0.5);
      StringBuilder text = new StringBuilder();
      text.append("| path | new stream to first echoed byte p50 / p90 / max ms | round trips of"
          + " the link (p50) | streams |\n");
      text.append("|---|--:|--:|--:|\n");
      firstByte.forEach((path, ms) -> text.append(String.format(Locale.ROOT,
          "| %s | %.1f / %.1f / %.1f | %.2f | %d |%n", path, ms.percentile(0.5),
          ms.percentile(0.9), ms.max(), ms.percentile(0.5) / roundTripMs, ms.count())));
      return text.toString();
    }
  }

  /**
   * Opens {@code count} connections one after the other, each until its first echoed byte.
   *
   * @return the CPU time the process spent meanwhile, in nanoseconds
   */
  private static long newStreams(InetSocketAddress address, int count, List<Double> millis)
      throws IOException {
    long cpuBefore = PROCESS.getProcessCpuTime();
    for (int i = 0; i < count; i++) {
      long start = System.nanoTime();
      try (Socket socket = new Socket()) {
        socket.setTcpNoDelay(true);
        socket.setSoTimeout(30_000);
        socket.connect(address, 10_000);
        socket.getOutputStream().write(i & 0x7f);
        expect(socket.getInputStream(), i & 0x7f);
        millis.add((System.nanoTime() - start) / 1e6);
      }
    }
    return PROCESS.getProcessCpuTime() - cpuBefore;
  }

  /** One connection; {@code count} times one byte out and the same byte back. */
  private static void pingPong(InetSocketAddress address, int count, List<Double> millis)
      throws IOException {
    try (Socket socket = new Socket()) {
      socket.setTcpNoDelay(true);
      socket.setSoTimeout(30_000);
      socket.connect(address, 10_000);
      OutputStream out = socket.getOutputStream();
      InputStream in = socket.getInputStream();
      for (int i = 0; i < count; i++) {
        long start = System.nanoTime();
        out.write(i & 0x7f);
        expect(in, i & 0x7f);
        millis.add((System.nanoTime() - start) / 1e6);
      }
    }
  }

  private static void expect(InputStream in, int value) throws IOException {
    int read = in.read();
    if (read != value) {
      throw new IOException("expected byte " + value + " back, read " + read);
    }
  }

  private static int share(int total, int rounds, int round) {
    return total / rounds + (round < total % rounds ? 1 : 0);
  }

  private static Samples samples(List<Double> values) {
    return Samples.of(values.stream().mapToDouble(Double::doubleValue).toArray());
  }

  /**
   * The Markdown rows of the results.
   *
   * @param results the paths' results
   * @return the table, header included
   */
  static String table(List<Result> results) {
    StringBuilder text = new StringBuilder();
    text.append("| path | new stream to first echoed byte p50 / p90 / p99 / max ms | streams"
        + " | CPU ms per new stream | 1-byte ping-pong p50 / p90 / p99 / max ms | round trips |\n");
    text.append("|---|--:|--:|--:|--:|--:|\n");
    for (Result r : results) {
      text.append(String.format(Locale.ROOT, "| %s | %s | %d | %.2f | %s | %d |%n", r.path(),
          quantiles(r.firstByte()), r.firstByte().count(), r.cpuMillisPerStream(),
          quantiles(r.pingPong()), r.pingPong().count()));
    }
    return text.toString();
  }

  private static String quantiles(Samples ms) {
    return String.format(Locale.ROOT, "%.2f / %.2f / %.2f / %.2f", ms.percentile(0.5),
        ms.percentile(0.9), ms.percentile(0.99), ms.max());
  }
}
