/**
 * Tools for testing code that uses pipes: in-memory connections that can be cut, closed and
 * stalled ({@link io.backedpipe.testing.TestLink}), a reconnector driven from a {@code TestProbe}
 * ({@link io.backedpipe.testing.ProbeReconnector}), and one that joins two pipes in one actor
 * system ({@link io.backedpipe.testing.InMemoryReconnector}). Shipped in the main jar.
 */
package io.backedpipe.testing;
