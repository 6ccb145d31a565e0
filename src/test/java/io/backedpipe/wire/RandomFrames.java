package io.backedpipe.wire;

import java.util.ArrayList;
import java.util.Collections;
import java.util.EnumSet;
import java.util.List;
import java.util.Random;
import java.util.UUID;
import org.apache.pekko.util.ByteString;

/** Seeded random frames of every type, edge values included, for the property tests. */
final class RandomFrames {
  /** The types a frame can have: every {@link FrameType} but {@code UNKNOWN}. */
  static final List<FrameType> TYPES =
      List.copyOf(EnumSet.complementOf(EnumSet.of(FrameType.UNKNOWN)));

  /** One-, two-, three- and four-byte UTF-8 characters. */
  private static final String[] CHARACTERS = {"a", "Z", " ", "\u00e9", "\u6f22", "\ud83d\ude00"};

  private RandomFrames() {}

  /** A random sequence of {@code count >= TYPES.size()} frames holding every type at least once. */
  static List<Frame> sequence(Random random, int count, int maxDataBytes) {
    List<Frame> frames = new ArrayList<>();
    for (FrameType type : TYPES) {
      frames.add(of(type, random, maxDataBytes));
    }
    while (frames.size() < count) {
      frames.add(of(TYPES.get(random.nextInt(TYPES.size())), random, maxDataBytes));
    }
    Collections.shuffle(frames, random);
    return frames;
  }

  /** A random valid frame of the given type. */
  static Frame of(FrameType type, Random random, int maxDataBytes) {
    return switch (type) {
      case DATA -> new Frame.Data(bytes(random, 1 + size(random, maxDataBytes - 1)));
      case ACK -> new Frame.Ack(position(random));
      case END_OF_STREAM -> new Frame.EndOfStream(position(random));
      case PING -> new Frame.Ping(random.nextLong());
      case PONG -> new Frame.Pong(random.nextLong());
      case CLOSE -> new Frame.Close(random.nextInt(0x10000), text(random, 1024));
      case ERROR -> new Frame.Error(pick(random, ErrorCode.values()), text(random, 1024));
      case CHALLENGE -> new Frame.Challenge(random.nextInt(0x10000), random.nextBoolean(),
          bytes(random, 16));
      case HELLO -> hello(random);
      case WELCOME -> welcome(random);
      case UNKNOWN -> throw new IllegalArgumentException("type=UNKNOWN has no frames");
    };
  }

  private static Frame hello(Random random) {
    return new Frame.Hello(
        random.nextInt(0x10000),
        new UUID(random.nextLong(), random.nextLong()),
        random.nextBoolean(),
        position(random),
        random.nextInt(),
        new LinkLimits(1 + random.nextInt(FrameCodec.MAX_DATA_BYTES),
            Math.max(1, position(random)), Math.max(1, position(random))),
        bytes(random, 16),
        bytes(random, size(random, 64)));
  }

  private static Frame welcome(Random random) {
    HandshakeStatus status = pick(random, HandshakeStatus.values());
    long readPosition =
        status != HandshakeStatus.OK && random.nextBoolean() ? -1 : position(random);
    long grace = random.nextBoolean() ? random.nextInt(60_000) : Long.MAX_VALUE;
    return new Frame.Welcome(status, readPosition, random.nextInt(), grace, LinkLimits.NONE,
        text(random, 256), bytes(random, size(random, 64)));
  }

  /** Sizes in {@code [0, max]}, often at the edges. */
  private static int size(Random random, int max) {
    return switch (random.nextInt(4)) {
      case 0 -> 0;
      case 1 -> max;
      default -> random.nextInt(max + 1);
    };
  }

  private static long position(Random random) {
    return switch (random.nextInt(4)) {
      case 0 -> 0L;
      case 1 -> Long.MAX_VALUE;
      default -> random.nextLong() & Long.MAX_VALUE;
    };
  }

  static ByteString bytes(Random random, int size) {
    byte[] bytes = new byte[size];
    random.nextBytes(bytes);
    return ByteString.fromArrayUnsafe(bytes);
  }

  /** Text of mixed-width characters whose UTF-8 form takes at most {@code maxBytes}. */
  static String text(Random random, int maxBytes) {
    int target = size(random, maxBytes);
    StringBuilder text = new StringBuilder();
    int bytes = 0;
    while (true) {
      String c = CHARACTERS[random.nextInt(CHARACTERS.length)];
      int width = ByteString.fromString(c).size();
      if (bytes + width > target) {
        return text.append("a".repeat(target - bytes)).toString();
      }
      text.append(c);
      bytes += width;
    }
  }

  private static <T> T pick(Random random, T[] values) {
    return values[random.nextInt(values.length)];
  }
}
