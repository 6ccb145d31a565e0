package io.backedpipe.hostile;

import io.backedpipe.wire.HandshakeStatus;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;

/**
 * What a {@link HostileRun} saw: counts per kind and outcome, the handshake statuses of refusals,
 * how many cases reached an established connection, and the failures with their cases.
 *
 * <p>Built by one thread per worker ({@link #add}) and merged ({@link #merge}) once the workers are
 * done. Not thread-safe; owned by the run that builds it, immutable in practice once returned.
 */
public final class HostileReport {
  /** Failures kept with their details; the rest are only counted. */
  public static final int MAX_FAILURES_KEPT = 100;

  private final Map<HostileKind, EnumMap<HostileOutcome, Long>> counts =
      new EnumMap<>(HostileKind.class);
  private final Map<HostileKind, Long> welcomed = new EnumMap<>(HostileKind.class);
  private final Map<HandshakeStatus, Long> refusals = new EnumMap<>(HandshakeStatus.class);
  private final List<HostileResult> failures = new ArrayList<>();
  private Duration duration = Duration.ZERO;

  HostileReport() {}

  void add(HostileResult result) {
    HostileKind kind = result.hostileCase().kind();
    counts.computeIfAbsent(kind, k -> new EnumMap<>(HostileOutcome.class))
        .merge(result.outcome(), 1L, Long::sum);
    if (result.welcomed()) {
      welcomed.merge(kind, 1L, Long::sum);
    }
    result.refusal().ifPresent(status -> refusals.merge(status, 1L, Long::sum));
    if (!result.outcome().isAcceptable() && failures.size() < MAX_FAILURES_KEPT) {
      failures.add(result);
    }
  }

  void merge(HostileReport other) {
    other.counts.forEach((kind, outcomes) -> outcomes.forEach((outcome, n) ->
        counts.computeIfAbsent(kind, k -> new EnumMap<>(HostileOutcome.class))
            .merge(outcome, n, Long::sum)));
    other.welcomed.forEach((kind, n) -> welcomed.merge(kind, n, Long::sum));
    other.refusals.forEach((status, n) -> refusals.merge(status, n, Long::sum));
    other.failures.stream().limit(MAX_FAILURES_KEPT - failures.size()).forEach(failures::add);
  }

  void finish(Duration took) {
    this.duration = took;
  }

  /**
   * Cases played.
   *
   * @return the number of results
   */
  public long cases() {
    return counts.values().stream().flatMap(m -> m.values().stream()).mapToLong(Long::longValue)
        .sum();
  }

  /**
   * Cases with an outcome.
   *
   * @param outcome the outcome
   * @return how many ended so
   */
  public long count(HostileOutcome outcome) {
    return counts.values().stream().mapToLong(m -> m.getOrDefault(outcome, 0L)).sum();
  }

  /**
   * Cases of a kind.
   *
   * @param kind the kind
   * @return how many were played
   */
  public long count(HostileKind kind) {
    return counts.getOrDefault(kind, new EnumMap<>(HostileOutcome.class)).values().stream()
        .mapToLong(Long::longValue).sum();
  }

  /**
   * Cases of a kind with an outcome.
   *
   * @param kind the kind
   * @param outcome the outcome
   * @return how many
   */
  public long count(HostileKind kind, HostileOutcome outcome) {
    return counts.getOrDefault(kind, new EnumMap<>(HostileOutcome.class)).getOrDefault(outcome, 0L);
  }

  /**
   * Cases of a kind whose own handshake was answered OK, so their hostile bytes reached an
   * established connection.
   *
   * @param kind the kind
   * @return how many
   */
  public long welcomed(HostileKind kind) {
    return welcomed.getOrDefault(kind, 0L);
  }

  /**
   * Refusals by handshake status.
   *
   * @return an unmodifiable map
   */
  public Map<HandshakeStatus, Long> refusals() {
    return Collections.unmodifiableMap(refusals);
  }

  /**
   * The first {@value #MAX_FAILURES_KEPT} failed cases.
   *
   * @return an unmodifiable list
   */
  public List<HostileResult> failures() {
    return Collections.unmodifiableList(failures);
  }

  /**
   * How long the run took.
   *
   * @return the wall-clock time
   */
  public Duration duration() {
    return duration;
  }

  /**
   * A table of the counts, one row per kind, then the refusals and the first failures.
   *
   * @return several lines
   */
  public String summary() {
    StringBuilder out = new StringBuilder();
    out.append(String.format("%d cases in %.1f s: %d closed, %d refused, %d error frames, %d FAILED%n",
        cases(), duration.toMillis() / 1000.0, count(HostileOutcome.CLOSED),
        count(HostileOutcome.REFUSED), count(HostileOutcome.ERROR_FRAME),
        count(HostileOutcome.FAILED)));
    out.append(String.format("| %-24s | %7s | %7s | %7s | %7s | %6s | %8s |%n", "kind", "cases",
        "closed", "refused", "error", "FAILED", "welcomed"));
    for (HostileKind kind : HostileKind.values()) {
      out.append(String.format("| %-24s | %7d | %7d | %7d | %7d | %6d | %8d |%n", kind,
          count(kind), count(kind, HostileOutcome.CLOSED), count(kind, HostileOutcome.REFUSED),
          count(kind, HostileOutcome.ERROR_FRAME), count(kind, HostileOutcome.FAILED),
          welcomed(kind)));
    }
    out.append("refusals: ").append(refusals).append(System.lineSeparator());
    failures.stream().limit(10).forEach(f -> out.append("  ").append(f)
        .append(System.lineSeparator()));
    return out.toString();
  }

  @Override
  public String toString() {
    return summary();
  }
}
