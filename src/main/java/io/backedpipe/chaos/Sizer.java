package io.backedpipe.chaos;

import io.backedpipe.wire.Frame;
import org.apache.pekko.util.ByteString;

/**
 * How a {@link ChaosLink} measures what passes (for bandwidth limits and cuts at a byte) and cuts
 * an element at a byte.
 *
 * @param <T> the elements of the link
 */
public interface Sizer<T> {
  /** Bytes on a TCP connection. */
  Sizer<ByteString> BYTES = new Sizer<>() {
    @Override
    public int size(ByteString element) {
      return element.size();
    }

    @Override
    public ByteString prefix(ByteString element, int bytes) {
      return element.take(bytes);
    }

    @Override
    public ByteString suffix(ByteString element, int bytes) {
      return element.drop(bytes);
    }

    @Override
    public boolean divisible() {
      return true; // TCP keeps no boundaries: a slow wire delivers any write piece by piece
    }
  };

  /** Frames of a pipe's connection: the payload of a DATA frame counts, other frames are free. */
  Sizer<Frame> FRAMES = new Sizer<>() {
    @Override
    public int size(Frame element) {
      return element instanceof Frame.Data data ? data.payload().size() : 0;
    }

    @Override
    public Frame prefix(Frame element, int bytes) {
      return element instanceof Frame.Data data ? new Frame.Data(data.payload().take(bytes))
          : element;
    }

    @Override
    public Frame suffix(Frame element, int bytes) {
      return element instanceof Frame.Data data ? new Frame.Data(data.payload().drop(bytes))
          : element;
    }

    @Override
    public boolean divisible() {
      return false; // a frame arrives whole, however long its bytes take
    }
  };

  /**
   * The element's size in bytes.
   *
   * @param element the element
   * @return its size
   */
  int size(T element);

  /**
   * The first {@code bytes} of the element, {@code 0 <= bytes < size(element)}.
   *
   * @param element the element
   * @param bytes how many
   * @return the prefix
   */
  T prefix(T element, int bytes);

  /**
   * The element without its first {@code bytes}, {@code 0 < bytes < size(element)}.
   *
   * @param element the element
   * @param bytes how many to leave out
   * @return the rest
   */
  T suffix(T element, int bytes);

  /**
   * Whether a bandwidth limit may split an element into pieces ({@link #prefix} and
   * {@link #suffix}) so that its bytes trickle; otherwise a large element waits until the limit
   * lets all of it pass at once.
   *
   * @return true for bytes, false for frames
   */
  boolean divisible();
}
