package io.backedpipe.bench;

import java.nio.file.Path;
import java.time.Duration;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The harness's arguments, given as {@code key=value} pairs; every key has a default, and
 * {@code quick=true} switches the defaults to a smoke test of a few seconds.
 *
 * @param runs measured runs per throughput case (after one warm-up run)
 * @param gib GiB moved per one-way throughput run (each write size)
 * @param warmUpGib GiB moved by each path at each write size before the first measured run, so
 *     the JIT has compiled the byte path (the pipe needs several GiB to reach its speed)
 * @param faultGib GiB moved per run of the fault case
 * @param sections which parts to run: {@code throughput, faults, latency, outage, replay, memory}
 * @param settings which Pekko TCP buffer settings to measure: {@code tuned}, {@code default}, or
 *     {@code both}
 * @param writeBufferBytes the tuned {@code pekko.stream.materializer.io.tcp.write-buffer-size}
 * @param directBufferBytes the tuned {@code pekko.io.tcp.direct-buffer-size}
 * @param dispatcherMinThreads the tuned {@code parallelism-min} of Pekko's default and internal
 *     dispatchers, 0 to keep Pekko's
 * @param faultInterval how often the fault case aborts the link
 * @param aborts how many forced aborts the reconnect latency is measured over
 * @param outages how many resets and blackholes the outage is measured over
 * @param pipeCounts the pipe counts the heap per pipe is measured at
 * @param pipeCap the most pipes the "most pipes one server holds" search dials
 * @param streams new tunnel streams per path for the tunnel latency, over all rounds
 * @param pings 1-byte round trips per path on an open tunnel stream, over all rounds
 * @param tunnelRounds how many times the tunnel case's paths take turns
 * @param latencyWarmUp how long the latency cases run unmeasured first (the tunnel opening streams
 *     and bouncing bytes, the reconnect case reconnecting): the JIT keeps compiling the code of
 *     a new stream or a reconnect for tens of seconds of that load
 * @param out the directory the table, CSV and chart are written to
 */
public record BenchOptions(int runs, double gib, double warmUpGib, double faultGib, Set<String> sections,
    String settings, int writeBufferBytes, int directBufferBytes, int dispatcherMinThreads,
    Duration faultInterval,
    int aborts, int outages, List<Integer> pipeCounts, int pipeCap, int streams, int pings,
    int tunnelRounds, Duration latencyWarmUp, Path out) {

  /** Every section, in the order they run. */
  public static final List<String> ALL_SECTIONS =
      List.of("throughput", "faults", "latency", "tunnel", "outage", "replay", "memory",
          "cluster");

  /**
   * Parses {@code key=value} arguments over the defaults.
   *
   * @param args the arguments
   * @return the options
   * @throws IllegalArgumentException for an unknown key, a malformed pair or a bad value
   */
  public static BenchOptions parse(String... args) {
    Map<String, String> given = new LinkedHashMap<>();
    for (String arg : args) {
      int eq = arg.indexOf('=');
      if (eq <= 0) {
        throw new IllegalArgumentException("argument=" + arg + " must be key=value");
      }
      given.put(arg.substring(0, eq).trim(), arg.substring(eq + 1).trim());
    }
    boolean quick = Boolean.parseBoolean(given.getOrDefault("quick", "false"));
    Map<String, String> values = new LinkedHashMap<>(quick ? quickDefaults() : fullDefaults());
    for (Map.Entry<String, String> entry : given.entrySet()) {
      if (!entry.getKey().equals("quick") && !values.containsKey(entry.getKey())) {
        throw new IllegalArgumentException("unknown key=" + entry.getKey() + "; known: quick, "
            + String.join(", ", values.keySet()));
      }
      values.put(entry.getKey(), entry.getValue());
    }
    Set<String> sections = Set.copyOf(List.of(values.get("cases").split(",")));
    for (String section : sections) {
      if (!ALL_SECTIONS.contains(section)) {
        throw new IllegalArgumentException("case=" + section + " must be one of " + ALL_SECTIONS);
      }
    }
    String settings = values.get("settings");
    if (!List.of("tuned", "default", "both").contains(settings)) {
      throw new IllegalArgumentException("settings=" + settings + " must be tuned, default or both");
    }
    return new BenchOptions(
        positive("runs", Integer.parseInt(values.get("runs"))),
        positive("gib", Double.parseDouble(values.get("gib"))),
        positive("warmup-gib", Double.parseDouble(values.get("warmup-gib"))),
        positive("fault-gib", Double.parseDouble(values.get("fault-gib"))),
        sections,
        settings,
        positive("write-buffer", Integer.parseInt(values.get("write-buffer"))),
        positive("direct-buffer", Integer.parseInt(values.get("direct-buffer"))),
        notNegative("dispatcher-min", Integer.parseInt(values.get("dispatcher-min"))),
        Duration.ofMillis(positive("fault-interval-ms",
            Integer.parseInt(values.get("fault-interval-ms")))),
        positive("aborts", Integer.parseInt(values.get("aborts"))),
        positive("outages", Integer.parseInt(values.get("outages"))),
        List.of(values.get("pipes").split(",")).stream().map(Integer::parseInt)
            .map(n -> positive("pipes", n)).toList(),
        positive("pipe-cap", Integer.parseInt(values.get("pipe-cap"))),
        positive("streams", Integer.parseInt(values.get("streams"))),
        positive("pings", Integer.parseInt(values.get("pings"))),
        positive("tunnel-rounds", Integer.parseInt(values.get("tunnel-rounds"))),
        Duration.ofSeconds(notNegative("latency-warmup-s",
            Integer.parseInt(values.get("latency-warmup-s")))),
        Path.of(values.get("out")));
  }

  private static Map<String, String> fullDefaults() {
    Map<String, String> d = new LinkedHashMap<>();
    d.put("runs", "5");
    d.put("gib", "1");
    d.put("warmup-gib", "6");
    d.put("fault-gib", "2");
    d.put("cases", String.join(",", ALL_SECTIONS));
    d.put("settings", "both");
    d.put("write-buffer", Integer.toString(1 << 20));
    d.put("direct-buffer", Integer.toString(1 << 20));
    d.put("dispatcher-min", "2");
    d.put("fault-interval-ms", "100");
    d.put("aborts", "1000");
    d.put("outages", "5");
    d.put("pipes", "1000,10000");
    d.put("pipe-cap", "15000");
    d.put("streams", "1000");
    d.put("pings", "10000");
    d.put("tunnel-rounds", "5");
    d.put("latency-warmup-s", "30");
    d.put("out", "bench-results");
    return d;
  }

  private static Map<String, String> quickDefaults() {
    Map<String, String> d = fullDefaults();
    d.put("runs", "2");
    d.put("gib", "0.125");
    d.put("warmup-gib", "0.25");
    d.put("fault-gib", "0.25");
    d.put("settings", "tuned");
    d.put("aborts", "50");
    d.put("outages", "1");
    d.put("pipes", "100,500");
    d.put("pipe-cap", "1000");
    d.put("streams", "100");
    d.put("pings", "1000");
    d.put("latency-warmup-s", "2");
    return d;
  }

  private static int positive(String key, int value) {
    if (value <= 0) {
      throw new IllegalArgumentException(key + "=" + value + " must be > 0");
    }
    return value;
  }

  private static int notNegative(String key, int value) {
    if (value < 0) {
      throw new IllegalArgumentException(key + "=" + value + " must be >= 0");
    }
    return value;
  }

  private static double positive(String key, double value) {
    if (!(value > 0)) {
      throw new IllegalArgumentException(key + "=" + value + " must be > 0");
    }
    return value;
  }

  /**
   * Whether a section is to run.
   *
   * @param section one of {@link #ALL_SECTIONS}
   * @return whether it was asked for
   */
  public boolean runs(String section) {
    return sections.contains(section);
  }

  /**
   * Bytes per one-way run, a whole number of 64 KiB writes.
   *
   * @return the byte count
   */
  public long bytesPerRun() {
    return roundToWrites(gib);
  }

  /**
   * Bytes each path moves at each write size to warm up, a whole number of 64 KiB writes.
   *
   * @return the byte count
   */
  public long warmUpBytes() {
    return roundToWrites(warmUpGib);
  }

  /**
   * Bytes per fault-case run, a whole number of 64 KiB writes.
   *
   * @return the byte count
   */
  public long faultBytesPerRun() {
    return roundToWrites(faultGib);
  }

  private static long roundToWrites(double gib) {
    long unit = 64 * 1024;
    return Math.max(unit, (long) (gib * (1L << 30)) / unit * unit);
  }
}
