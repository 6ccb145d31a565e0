package io.backedpipe.chaos;

/**
 * What a {@link ChaosProxy} has done so far.
 *
 * @param connections connections accepted
 * @param resets connections reset
 * @param closes connections closed in the middle of the stream
 * @param blackholes blackholes started (each covers every connection open or opened during it)
 */
public record ChaosStats(long connections, long resets, long closes, long blackholes) {

  /**
   * Faults of every kind.
   *
   * @return resets, closes and blackholes together
   */
  public long faults() {
    return resets + closes + blackholes;
  }
}
