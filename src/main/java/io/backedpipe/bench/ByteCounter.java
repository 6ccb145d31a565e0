package io.backedpipe.bench;

import org.apache.pekko.japi.function.Procedure;
import org.apache.pekko.util.ByteString;

/**
 * Counts the bytes of a stream in a {@code Sink.foreach} without allocating per element (a
 * {@code Sink.fold} over a boxed {@code Long} would). Used by one stream stage at a time; read it
 * after the stream's completion, which publishes the count.
 */
final class ByteCounter implements Procedure<ByteString> {
  private long bytes;

  @Override
  public void apply(ByteString element) {
    bytes += element.size();
  }

  long bytes() {
    return bytes;
  }
}
