package io.backedpipe.tunnel;

import io.backedpipe.PipeEvent;
import java.util.UUID;

/**
 * A lifecycle event of one tunneled stream, for whoever listens to a tunnel (the demo counts
 * reconnects and replayed bytes from these).
 *
 * @param streamId the stream's id
 * @param event what happened to its pipe
 */
public record TunnelEvent(UUID streamId, PipeEvent event) {}
