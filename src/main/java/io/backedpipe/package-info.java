/**
 * The public API of backed-pipe: {@link io.backedpipe.BackedPipe} to spawn and drive a pipe,
 * {@link io.backedpipe.PipeCommand} (the pipe actor's protocol), {@link io.backedpipe.Reconnector}
 * and {@link io.backedpipe.Connection} (what a transport provides), settings, status, events and
 * the pipe's errors. Sub-packages: {@code transport} and {@code server} (TCP, TLS, authentication,
 * a server hosting many pipes; with their own errors), {@code tunnel} (TCP port forwarding over
 * pipes), {@code testing} and {@code chaos} (tools for users' tests). The implementation lives in
 * {@code pipe} (actors), {@code buffer} (the replay window) and {@code wire} (frames).
 */
package io.backedpipe;
