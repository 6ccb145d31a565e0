package io.backedpipe.cluster;

import java.io.NotSerializableException;
import java.nio.ByteOrder;
import org.apache.pekko.util.ByteString;

/**
 * Reads the fields of one {@link ClusterSerializer} message in order, checking every length
 * against what is left before reading, so that bad bytes end in a {@link
 * NotSerializableException}, never an index exception or a large allocation. Not thread-safe;
 * owned by one {@code fromBinary} call.
 */
final class MessageReader {
  private static final ByteOrder ORDER = ByteOrder.BIG_ENDIAN;
  private final ByteString bytes;
  private final String manifest;
  private int offset;

  MessageReader(ByteString bytes, String manifest) {
    this.bytes = bytes;
    this.manifest = manifest;
  }

  String manifest() {
    return manifest;
  }

  ByteString bytes(String field, int length) throws NotSerializableException {
    int remaining = bytes.size() - offset;
    if (length > remaining) {
      throw new NotSerializableException("manifest=" + manifest + " field=" + field
          + " truncated: needs=" + length + " remaining=" + remaining);
    }
    ByteString slice = bytes.slice(offset, offset + length);
    offset += length;
    return slice;
  }

  int int32(String field) throws NotSerializableException {
    return bytes(field, 4).iterator().getInt(ORDER);
  }

  int u16(String field) throws NotSerializableException {
    return bytes(field, 2).iterator().getShort(ORDER) & 0xFFFF;
  }

  int u8(String field) throws NotSerializableException {
    return bytes(field, 1).apply(0) & 0xFF;
  }

  ByteString block(String field) throws NotSerializableException {
    int length = int32(field);
    if (length < 0 || length > ClusterSerializer.MAX_BLOCK_BYTES) {
      throw new NotSerializableException("manifest=" + manifest + " field=" + field
          + " length=" + length + " must be in [0," + ClusterSerializer.MAX_BLOCK_BYTES + "]");
    }
    return bytes(field, length);
  }

  void end() throws NotSerializableException {
    if (offset != bytes.size()) {
      throw new NotSerializableException("manifest=" + manifest + " trailingBytes="
          + (bytes.size() - offset) + " must be 0");
    }
  }
}
