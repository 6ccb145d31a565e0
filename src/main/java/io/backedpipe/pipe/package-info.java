/**
 * The actors of a pipe, behind {@link io.backedpipe.BackedPipe}: not API. {@link
 * io.backedpipe.pipe.PipeSupervisor} (the connection-state machine), its {@code Writer} and
 * {@code Reader} children (the byte work), and the stream stages that connect an application's
 * Sink and Source to them. Mailbox ordering replaces locks: every piece of mutable state here has
 * exactly one owning actor or stage. The types that are public here are so only because
 * {@code BackedPipe} lives in another package; use {@code BackedPipe} and {@link
 * io.backedpipe.PipeCommand} instead.
 */
package io.backedpipe.pipe;
