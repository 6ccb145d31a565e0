package io.backedpipe.tunnel;

import io.backedpipe.PipeEvent;
import java.util.UUID;

/**
 * A lifecycle event of a tunnel's pipe, for whoever listens to a tunnel (the demo counts
 * reconnects and replayed bytes from these). Every stream of a {@code connect} rides the same
 * pipe, so one event stands for all of them; a {@code serve} has one pipe per client.
 *
 * @param streamId the pipe's stream id (the id in its handshake, not a tunneled stream's number)
 * @param event what happened to the pipe
 */
public record TunnelEvent(UUID streamId, PipeEvent event) {}
