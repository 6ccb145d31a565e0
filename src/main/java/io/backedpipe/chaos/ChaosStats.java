package io.backedpipe.chaos;

/**
 * What a {@link ChaosProxy} or {@link ChaosReconnector} has done so far; every count but
 * {@code blackholes} is of links hit (a fault applied to three open links counts three).
 *
 * @param connections links made
 * @param resets links reset
 * @param closes links closed in the middle of the stream
 * @param blackholes blackholes started (each covers every link open or opened during it)
 * @param stalls links stalled
 * @param delays links delayed
 * @param limits links limited in bandwidth
 * @param cuts links set to fail after a number of bytes
 */
public record ChaosStats(long connections, long resets, long closes, long blackholes,
    long stalls, long delays, long limits, long cuts) {

  /**
   * Faults of every kind.
   *
   * @return their sum
   */
  public long faults() {
    return resets + closes + blackholes + stalls + delays + limits + cuts;
  }
}
