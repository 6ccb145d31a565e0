package io.backedpipe.bench;

import java.util.OptionalDouble;

/**
 * One line of the throughput table.
 *
 * @param path what was measured, such as {@code pipe one-way}
 * @param writeBytes the size of each write
 * @param settings the Pekko TCP buffer settings it ran with ({@code tuned}, {@code default}, or
 *     {@code -} for plain sockets)
 * @param gbPerSecond throughput of each run, in GB/s (10^9 bytes per second)
 * @param ratio the median divided by the median of the row it is compared with, if any
 * @param note what else the reader should know (the ratio's base, faults, checks)
 */
public record ResultRow(String path, int writeBytes, String settings, Samples gbPerSecond,
    OptionalDouble ratio, String note) {}
