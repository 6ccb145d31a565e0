/**
 * Pure data structures of the byte path: no actors, no streams, no threads. Everything here is
 * owned by exactly one actor at a time.
 */
package io.backedpipe.buffer;
