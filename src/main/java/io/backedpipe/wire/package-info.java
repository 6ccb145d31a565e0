/**
 * The frames that travel over one connection of a pipe. The byte encoding over TCP comes with the
 * transport; in-memory connections carry these values as they are.
 */
package io.backedpipe.wire;
