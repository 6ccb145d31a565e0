/**
 * The public API of backed-pipe: {@link io.backedpipe.BackedPipe} to create and drive a pipe, its
 * settings, status, events and errors. The implementation lives in the sub-packages: {@code pipe}
 * (actors), {@code buffer} (the replay window), {@code wire} (frames) and {@code testing} (tools for
 * users' tests).
 */
package io.backedpipe;
