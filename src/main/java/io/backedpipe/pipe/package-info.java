/**
 * The actors of a pipe: {@link io.backedpipe.pipe.PipeSupervisor} (the connection-state machine),
 * its {@code Writer} and {@code Reader} children (the byte work), and the stream stages that connect
 * an application's Sink and Source to them. Mailbox ordering replaces locks: every piece of mutable
 * state here has exactly one owning actor or stage.
 */
package io.backedpipe.pipe;
