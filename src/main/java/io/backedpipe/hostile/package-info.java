/**
 * Hostile clients for the tool's {@code hostile} command and the test suite: seeded broken
 * handshakes and frames ({@link io.backedpipe.hostile.HostileInput}) played against a server
 * ({@link io.backedpipe.hostile.HostileRun}). Part of the runnable tool
 * ({@code target/backed-pipe.jar}), not of the library jar.
 */
package io.backedpipe.hostile;
