package io.backedpipe.hostile;

import io.backedpipe.hostile.HostileCase.Ending;
import io.backedpipe.hostile.HostileCase.Opening;
import io.backedpipe.wire.ErrorCode;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import java.util.Optional;
import java.util.SplittableRandom;
import java.util.UUID;
import org.apache.pekko.util.ByteString;

/**
 * A seeded generator of {@link HostileCase}s: every case is a function of the seed and its index,
 * so any case of a run can be made again alone ({@link #generate(int)}), in any order, on any
 * thread.
 *
 * <p><b>Streams the cases name.</b> A case's HELLO names one of three kinds of stream:
 * <ul>
 *   <li>the <em>protected</em> stream (optional): a real client's stream on the server. A case
 *       never sends a HELLO for it that the server could accept: its read position is either at
 *       least {@code 2^62} (no stream gets that far) or 0 with a non-zero history check (the check
 *       of no bytes is 0), or the HELLO is malformed, of another version, or sent after a
 *       handshake (where no HELLO is routed). So a case may not take its connection over, and its
 *       positions must not change.</li>
 *   <li><em>own</em> streams: the cases that need an established connection first complete a valid
 *       handshake (create, read position 0, check 0) for one of {@code ownStreams} stream ids. They
 *       change with every {@code epochCases} cases, so that the bytes one id collects stay small
 *       (a hostile client never acknowledges what the server sends); a server holds at most
 *       {@code ownStreams} of them per epoch that its grace period has not yet reaped. Their state
 *       is the hostile client's to change: newer connections take older ones over, END_OF_STREAM
 *       ends them, a CLOSE with a code closes them.</li>
 *   <li><em>fresh</em> streams: a random id per case. Without {@code create}, or with a refused
 *       HELLO, the server creates nothing; a few cases (about 1 in 400) ask to create one with an
 *       impossible position, which the server may create and then reaps after its grace period.</li>
 * </ul>
 *
 * <pre>{@code
 * HostileInput input = new HostileInput(42, Optional.of(realStreamId), 256 * 1024);
 * HostileCase c = input.generate(17);  // the same case for the same seed and index, always
 * }</pre>
 *
 * <p>Immutable, so thread-safe.
 */
public final class HostileInput {
  /** The protocol version of every well-formed HELLO. */
  private static final int VERSION = FrameCodec.PROTOCOL_VERSION;

  /** Own streams in use at once, unless told otherwise. */
  public static final int DEFAULT_OWN_STREAMS = 16;
  /**
   * Cases after which the own streams change, unless told otherwise. Short: a case that ends an
   * own stream cleanly (END_OF_STREAM at 0, say) completes it, and the server then answers every
   * later HELLO for it COMPLETED at the handshake, before any frame case gets to its frames.
   */
  public static final int DEFAULT_EPOCH_CASES = 128;
  /** The lowest read position a case announces for the protected stream beyond its end. */
  public static final long IMPOSSIBLE_POSITION = 1L << 62;

  private static final int TOTAL_WEIGHT = totalWeight();
  /** The most hostile bytes a case sends after a header, unless it sends a largest DATA frame. */
  private static final int PAYLOAD_CAP = 4096;

  private final long seed;
  private final Optional<UUID> protectedStream;
  private final int maxDataBytes;
  private final int ownStreams;
  private final int epochCases;
  private final HostileBytes bytes;

  /**
   * A generator with {@value #DEFAULT_OWN_STREAMS} own streams per {@value #DEFAULT_EPOCH_CASES}
   * cases.
   *
   * @param seed the seed of every case
   * @param protectedStream a stream no case may take over or change, if any
   * @param maxDataBytes the server's largest DATA payload ({@code backed-pipe.max-frame-bytes})
   */
  public HostileInput(long seed, Optional<UUID> protectedStream, int maxDataBytes) {
    this(seed, protectedStream, maxDataBytes, DEFAULT_OWN_STREAMS, DEFAULT_EPOCH_CASES);
  }

  /**
   * A generator.
   *
   * @param seed the seed of every case
   * @param protectedStream a stream no case may take over or change, if any
   * @param maxDataBytes the server's largest DATA payload ({@code backed-pipe.max-frame-bytes})
   * @param ownStreams how many stream ids the post-handshake cases share at a time, at least 1
   * @param epochCases after how many cases those ids change, at least 1
   */
  public HostileInput(long seed, Optional<UUID> protectedStream, int maxDataBytes, int ownStreams,
      int epochCases) {
    if (ownStreams < 1 || epochCases < 1) {
      throw new IllegalArgumentException(
          "ownStreams=" + ownStreams + " and epochCases=" + epochCases + " must be >= 1");
    }
    this.seed = seed;
    this.protectedStream = protectedStream;
    this.maxDataBytes = maxDataBytes;
    this.ownStreams = ownStreams;
    this.epochCases = epochCases;
    this.bytes = new HostileBytes(new FrameCodec(maxDataBytes));
  }

  /**
   * The largest DATA payload the cases are built for.
   *
   * @return the limit given at construction
   */
  public int maxDataBytes() {
    return maxDataBytes;
  }

  /**
   * The case of a given index.
   *
   * @param index the case's number, from 0
   * @return the same case for the same seed and index
   */
  public HostileCase generate(int index) {
    SplittableRandom random = new SplittableRandom(mix(seed, index));
    Draft draft = new Draft(index, random);
    HostileKind kind = pickKind(random);
    return switch (kind) {
      case RANDOM_BYTES -> randomBytes(draft);
      case BOUNDARY_LENGTH -> boundaryLength(draft);
      case TRUNCATED_HANDSHAKE -> truncatedHandshake(draft);
      case TRUNCATED_FRAME -> truncatedFrame(draft);
      case UNKNOWN_TYPE -> unknownType(draft);
      case TYPE_CONFUSION -> typeConfusion(draft);
      case WRONG_MAGIC -> wrongMagic(draft);
      case WRONG_VERSION -> wrongVersion(draft);
      case MALFORMED_HELLO -> malformedHello(draft);
      case IMPOSSIBLE_POSITION -> impossiblePosition(draft);
      case REPLAYED_HANDSHAKE -> replayedHandshake(draft);
      case END_OF_STREAM_THEN_DATA -> endOfStreamThenData(draft);
      case MALFORMED_FRAME -> malformedFrame(draft);
      case STALLED_HANDSHAKE -> stalledHandshake(draft);
      case SLOW_LORIS -> slowLoris(draft);
      case CONTROL_CHARACTERS -> controlCharacters(draft);
    };
  }

  /**
   * The own stream ids of the epoch of case {@code index}.
   *
   * @param index a case's number
   * @param slot which of them, {@code 0 .. ownStreams-1}
   * @return the id
   */
  public UUID ownStream(int index, int slot) {
    long epoch = index / epochCases;
    return new UUID(mix(seed, epoch) ^ 0x686f7374696c65L, mix(seed ^ slot, epoch + 1));
  }

  private HostileCase randomBytes(Draft d) {
    int size = switch (d.random.nextInt(5)) {
      case 0 -> 0;
      case 1 -> 1 + d.random.nextInt(5); // within a header
      default -> d.random.nextInt(2049);
    };
    return d.anyPhase(HostileKind.RANDOM_BYTES, size + " random bytes",
        HostileBytes.random(d.random, size), Ending.HALF_CLOSE);
  }

  private HostileCase boundaryLength(Draft d) {
    int maxPayload = FrameCodec.maxFrameBytes(maxDataBytes) - FrameCodec.HEADER_BYTES;
    int[] lengths = {0, 1, 7, 8, 9, 23, 24, 25, 43, 44, 45, 72, 73, 74, 137, 138, 364, 365, 1025,
        1026, 1027,
        maxDataBytes - 1, maxDataBytes, maxDataBytes + 1, maxPayload, maxPayload + 1,
        Integer.MAX_VALUE, Integer.MIN_VALUE, -1, -2, Integer.MIN_VALUE + d.random.nextInt(1 << 30)};
    int length = lengths[d.random.nextInt(lengths.length)];
    int type = d.random.nextInt(4) == 0 ? d.random.nextInt(256) : HostileBytes.randomType(d.random);
    long unsigned = Integer.toUnsignedLong(length);
    boolean tooLarge = unsigned > maxPayload;
    // Send the whole payload when it is small; a largest DATA frame rarely (it costs a fresh pipe).
    boolean whole = unsigned <= PAYLOAD_CAP || (!tooLarge && d.random.nextInt(8) == 0);
    int sent = whole ? (int) unsigned : d.random.nextInt(65);
    ByteString frame = HostileBytes.raw(type, length, HostileBytes.random(d.random, sent));
    String description = String.format("type=0x%02x length=%s (%d) payload sent=%d", type,
        Integer.toUnsignedString(length), length, sent);
    // Too large: the header alone must be rejected. Otherwise it may be allowed or incomplete.
    Ending ending = tooLarge ? Ending.KEEP_OPEN : Ending.HALF_CLOSE;
    if (sent > PAYLOAD_CAP) {
      return d.afterHandshake(HostileKind.BOUNDARY_LENGTH, description, frame, ending,
          d.freshHello(true, 0, 0));
    }
    return d.anyPhase(HostileKind.BOUNDARY_LENGTH, description, frame, ending);
  }

  private HostileCase truncatedHandshake(Draft d) {
    ByteString hello = d.anyHello();
    int offset = d.random.nextInt(hello.size());
    return d.beforeHandshake(HostileKind.TRUNCATED_HANDSHAKE,
        "HELLO of " + hello.size() + " bytes cut at " + offset, hello.take(offset),
        Ending.HALF_CLOSE);
  }

  private HostileCase truncatedFrame(Draft d) {
    Frame frame = bytes.validFrame(d.random);
    ByteString encoded = bytes.encode(frame);
    int offset = d.random.nextInt(encoded.size());
    return d.afterHandshake(HostileKind.TRUNCATED_FRAME,
        frame + " of " + encoded.size() + " bytes cut at " + offset, encoded.take(offset),
        Ending.HALF_CLOSE, d.ownHello());
  }

  private HostileCase unknownType(Draft d) {
    int[] unassigned = {0x00, 0x08, 0x09, 0x0f, 0x13, 0x20, 0x7f, 0x80, 0xfe, 0xff};
    int type = d.random.nextBoolean() ? unassigned[d.random.nextInt(unassigned.length)]
        : 0x13 + d.random.nextInt(0xed);
    int length = d.random.nextInt(4) == 0 ? 0 : d.random.nextInt(65);
    ByteString frame = HostileBytes.raw(type, length, HostileBytes.random(d.random, length));
    return d.anyPhase(HostileKind.UNKNOWN_TYPE, String.format("type=0x%02x length=%d", type, length),
        frame, Ending.KEEP_OPEN);
  }

  private HostileCase typeConfusion(Draft d) {
    switch (d.random.nextInt(4)) {
      case 0 -> {
        Frame frame = bytes.validFrameButHello(d.random);
        return d.beforeHandshake(HostileKind.TYPE_CONFUSION, frame + " instead of HELLO",
            bytes.encode(frame), Ending.KEEP_OPEN);
      }
      case 1 -> {
        int[] others = {0x01, 0x02, 0x03, 0x05, 0x06, 0x07, 0x10, 0x12};
        int type = others[d.random.nextInt(others.length)];
        ByteString hello = d.anyHello();
        return d.beforeHandshake(HostileKind.TYPE_CONFUSION,
            String.format("HELLO payload under type 0x%02x", type),
            HostileBytes.patch(hello, 0, ByteString.fromArrayUnsafe(new byte[] {(byte) type})),
            Ending.KEEP_OPEN);
      }
      case 2 -> {
        // A second HELLO, valid in itself and possibly naming the protected stream: never routed.
        ByteString hello =
            bytes.hello(VERSION, d.target(), true, 0, 0, ByteString.emptyByteString());
        return d.afterHandshake(HostileKind.TYPE_CONFUSION, "a second HELLO after WELCOME", hello,
            Ending.KEEP_OPEN, d.ownHello());
      }
      default -> {
        Frame[] handshakeFrames = {
            new Frame.Challenge(1, false, HostileBytes.random(d.random, Frame.Challenge.NONCE_BYTES)),
            new Frame.Welcome(io.backedpipe.wire.HandshakeStatus.OK, 0, 0, 0, ""),
            new Frame.Error(io.backedpipe.wire.ErrorCode.INTERNAL, "hostile")};
        Frame frame = handshakeFrames[d.random.nextInt(handshakeFrames.length)];
        return d.afterHandshake(HostileKind.TYPE_CONFUSION, frame + " after WELCOME",
            bytes.encode(frame), Ending.KEEP_OPEN, d.ownHello());
      }
    }
  }

  private HostileCase wrongMagic(Draft d) {
    int[] magics = {0, 0x42504951, 0x50495042, 0xFFFFFFFF, d.random.nextInt()};
    int magic = magics[d.random.nextInt(magics.length)];
    if (magic == FrameCodec.MAGIC) {
      magic = ~magic;
    }
    ByteString hello = HostileBytes.patch(d.anyHello(), HostileBytes.HELLO_MAGIC,
        HostileBytes.int32(magic));
    return d.beforeHandshake(HostileKind.WRONG_MAGIC,
        "HELLO with magic=0x" + Integer.toHexString(magic), hello, Ending.KEEP_OPEN);
  }

  private HostileCase wrongVersion(Draft d) {
    int current = VERSION;
    int other = (current + 1 + d.random.nextInt(0xFFFF)) & 0xFFFF; // never the current one
    int[] versions = {0, current - 1, current + 1, 0xFFFF, 0x0100, other};
    int version = versions[d.random.nextInt(versions.length)];
    // Even a position that would be valid: the version is checked before anything else.
    ByteString hello = bytes.hello(version, d.target(), d.random.nextBoolean(), 0, 0,
        d.opaqueProof());
    return d.beforeHandshake(HostileKind.WRONG_VERSION, "HELLO with version=" + version, hello,
        Ending.KEEP_OPEN);
  }

  private HostileCase malformedHello(Draft d) {
    ByteString hello = d.anyHello();
    int proofLength = hello.size() - FrameCodec.HEADER_BYTES - HostileBytes.HELLO_FIXED_BYTES;
    return switch (d.random.nextInt(5)) {
      case 0 -> {
        int[] flags = {0x0002, 0x0003, 0x8000, 0x8001, 0xFFFF};
        int flag = flags[d.random.nextInt(flags.length)];
        yield d.beforeHandshake(HostileKind.MALFORMED_HELLO, "HELLO with flags=0x"
            + Integer.toHexString(flag), HostileBytes.patch(hello, HostileBytes.HELLO_FLAGS,
            HostileBytes.int16(flag)), Ending.KEEP_OPEN);
      }
      case 1 -> {
        int claimed = Frame.Hello.MAX_PROOF_BYTES + 1 + d.random.nextInt(191);
        ByteString payload = hello.slice(FrameCodec.HEADER_BYTES,
            FrameCodec.HEADER_BYTES + HostileBytes.HELLO_FIXED_BYTES - 1)
            .concat(ByteString.fromArrayUnsafe(new byte[] {(byte) claimed}))
            .concat(HostileBytes.random(d.random, claimed));
        yield d.beforeHandshake(HostileKind.MALFORMED_HELLO, "HELLO with proofLength=" + claimed,
            HostileBytes.raw(0x11, payload.size(), payload), Ending.KEEP_OPEN);
      }
      case 2 -> {
        // The length field disagrees with 73 + proofLength, and exactly that many bytes follow.
        int extra = d.random.nextBoolean() ? 1 + d.random.nextInt(8)
            : -Math.min(1 + d.random.nextInt(8), Math.max(1, proofLength));
        int length = HostileBytes.HELLO_FIXED_BYTES + proofLength + extra;
        ByteString payload = extra > 0
            ? hello.drop(FrameCodec.HEADER_BYTES).concat(HostileBytes.random(d.random, extra))
            : hello.drop(FrameCodec.HEADER_BYTES).take(length);
        yield d.beforeHandshake(HostileKind.MALFORMED_HELLO, "HELLO with proofLength="
            + proofLength + " but length=" + length, HostileBytes.raw(0x11, length, payload),
            Ending.KEEP_OPEN);
      }
      case 3 -> {
        long position = d.random.nextBoolean() ? -1 : Long.MIN_VALUE | d.random.nextLong();
        yield d.beforeHandshake(HostileKind.MALFORMED_HELLO, "HELLO with readPosition="
            + position, HostileBytes.patch(hello, HostileBytes.HELLO_READ_POSITION,
            HostileBytes.int64(position)), Ending.KEEP_OPEN);
      }
      default -> {
        int length = d.random.nextInt(HostileBytes.HELLO_FIXED_BYTES);
        yield d.beforeHandshake(HostileKind.MALFORMED_HELLO, "HELLO payload of " + length
            + " bytes (below 73)", HostileBytes.raw(0x11, length,
            hello.drop(FrameCodec.HEADER_BYTES).take(length)), Ending.KEEP_OPEN);
      }
    };
  }

  private HostileCase impossiblePosition(Draft d) {
    int pick = d.random.nextInt(400);
    UUID stream;
    boolean create;
    String whose;
    if (pick == 0) {
      stream = d.freshStream();
      create = true; // the server may create it before it finds the position impossible
      whose = "a fresh stream, create";
    } else if (pick < 60) {
      stream = d.freshStream();
      create = false;
      whose = "an unknown stream";
    } else if (pick < 160 || protectedStream.isEmpty()) {
      stream = d.ownStream();
      create = true;
      whose = "an own stream";
    } else {
      stream = protectedStream.get();
      create = d.random.nextBoolean();
      whose = "the protected stream";
    }
    long position;
    int check;
    if (d.random.nextInt(4) == 0) {
      position = 0;
      check = 1 + d.random.nextInt(Integer.MAX_VALUE); // the check of no bytes is 0
    } else {
      long[] beyond = {Long.MAX_VALUE, Long.MAX_VALUE - 1, IMPOSSIBLE_POSITION,
          IMPOSSIBLE_POSITION + (d.random.nextLong() >>> 2)};
      position = beyond[d.random.nextInt(beyond.length)];
      check = d.random.nextInt();
    }
    ByteString hello = bytes.hello(VERSION, stream, create, position, check, d.opaqueProof());
    return d.beforeHandshake(HostileKind.IMPOSSIBLE_POSITION, "HELLO for " + whose
        + " at readPosition=" + position + " historyCheck=" + check, hello, Ending.KEEP_OPEN);
  }

  private HostileCase replayedHandshake(Draft d) {
    // A replayed HELLO for the protected stream carries an impossible position: refused twice.
    Frame.Hello hello = protectedStream.isPresent() && d.random.nextInt(4) == 0
        ? new Frame.Hello(VERSION, protectedStream.get(), false, Long.MAX_VALUE, 0,
            HostileBytes.HELLO_NONCE, d.opaqueProof())
        : new Frame.Hello(VERSION, d.ownStream(), true, 0, 0, HostileBytes.HELLO_NONCE,
            d.opaqueProof());
    ByteString after = d.random.nextBoolean() ? ByteString.emptyByteString()
        : bytes.encode(bytes.validFrame(d.random));
    return new HostileCase(d.index, HostileKind.REPLAYED_HANDSHAKE,
        "HELLO of an earlier connection replayed, then " + after.size() + " bytes",
        Opening.REPLAYED_HANDSHAKE, Optional.of(hello), false, after, Ending.HALF_CLOSE);
  }

  private HostileCase endOfStreamThenData(Draft d) {
    ByteString data = bytes.encode(new Frame.Data(HostileBytes.random(d.random,
        1 + d.random.nextInt(64))));
    return new HostileCase(d.index, HostileKind.END_OF_STREAM_THEN_DATA,
        "END_OF_STREAM at the server's position, then DATA of " + data.size() + " bytes",
        Opening.AFTER_HANDSHAKE, Optional.of(d.ownHello()), true, data, Ending.KEEP_OPEN);
  }

  private HostileCase malformedFrame(Draft d) {
    ByteString invalidUtf8 = ByteString.fromArrayUnsafe(new byte[] {(byte) 0xC0, (byte) 0x80,
        (byte) 0xED, (byte) 0xA0, (byte) 0x80, (byte) 0xFF});
    ByteString frame;
    String description;
    switch (d.random.nextInt(8)) {
      case 0 -> {
        frame = HostileBytes.raw(0x02, 8, HostileBytes.int64(-1 - d.random.nextInt(1000)));
        description = "ACK with a negative position";
      }
      case 1 -> {
        frame = HostileBytes.raw(0x02, 8, HostileBytes.int64(IMPOSSIBLE_POSITION));
        description = "ACK beyond every byte sent";
      }
      case 2 -> {
        frame = HostileBytes.raw(0x05, 8, HostileBytes.int64(Long.MIN_VALUE));
        description = "END_OF_STREAM with a negative position";
      }
      case 3 -> {
        frame = HostileBytes.raw(0x01, 0, ByteString.emptyByteString());
        description = "DATA with length 0";
      }
      case 4 -> {
        int type = d.random.nextBoolean() ? 0x06 : 0x07;
        frame = HostileBytes.raw(type, 2 + invalidUtf8.size(),
            HostileBytes.int16(1).concat(invalidUtf8));
        description = (type == 0x06 ? "CLOSE" : "ERROR") + " with invalid UTF-8";
      }
      case 5 -> {
        int length = d.random.nextBoolean() ? 7 : 9;
        int type = 0x02 + d.random.nextInt(4); // ACK, PING, PONG, END_OF_STREAM
        frame = HostileBytes.raw(type, length, HostileBytes.random(d.random, length));
        description = String.format("type=0x%02x with length=%d (must be 8)", type, length);
      }
      case 6 -> {
        frame = HostileBytes.raw(0x06, 1, HostileBytes.random(d.random, 1));
        description = "CLOSE with length 1 (below 2)";
      }
      default -> {
        frame = bytes.encode(new Frame.Close(1 + d.random.nextInt(0xFFFF), "hostile close"));
        description = "CLOSE with a code: the own stream closes";
      }
    }
    return d.afterHandshake(HostileKind.MALFORMED_FRAME, description, frame, Ending.KEEP_OPEN,
        d.ownHello());
  }

  private HostileCase stalledHandshake(Draft d) {
    ByteString hello = d.anyHello();
    int offset = d.random.nextInt(hello.size());
    return new HostileCase(d.index, HostileKind.STALLED_HANDSHAKE,
        "HELLO cut at " + offset + ", then silence", Opening.AFTER_CHALLENGE, Optional.empty(),
        false, hello.take(offset), Ending.KEEP_OPEN);
  }

  private HostileCase slowLoris(Draft d) {
    int length = 64 * 1024 + d.random.nextInt(192 * 1024); // 64-256 KiB announced
    int sent = d.random.nextInt(16 * 1024);
    ByteString partial = HostileBytes.raw(0x01, length, HostileBytes.random(d.random, sent));
    return d.beforeHandshake(HostileKind.SLOW_LORIS,
        "DATA header of " + length + " bytes and " + sent + " of them instead of HELLO, then"
            + " silence", partial, Ending.KEEP_OPEN);
  }

  private HostileCase controlCharacters(Draft d) {
    String[] forged = {"\r\n12:00:00.000 ERROR io.backedpipe - forged line",
        "\u001b[31mred\u001b[0m\u001b]0;title\u0007", "\u202eevil\u202c\u2028next line",
        "tab\there\u0000nul\u007fdel\u0085nel"};
    String text = forged[d.random.nextInt(forged.length)];
    boolean close = d.random.nextBoolean();
    Frame frame = close ? new Frame.Close(1 + d.random.nextInt(0xFFFF), text)
        : new Frame.Error(ErrorCode.PROTOCOL_VIOLATION, text);
    return d.afterHandshake(HostileKind.CONTROL_CHARACTERS,
        (close ? "CLOSE" : "ERROR") + " whose text has control characters", bytes.encode(frame),
        Ending.KEEP_OPEN, d.ownHello());
  }

  private static HostileKind pickKind(SplittableRandom random) {
    int roll = random.nextInt(TOTAL_WEIGHT);
    for (HostileKind kind : HostileKind.values()) {
      roll -= kind.weight();
      if (roll < 0) {
        return kind;
      }
    }
    throw new IllegalStateException("weights changed");
  }

  private static int totalWeight() {
    int total = 0;
    for (HostileKind kind : HostileKind.values()) {
      total += kind.weight();
    }
    return total;
  }

  /** Stafford's mix13 of the seed and a number: independent streams for neighbouring indices. */
  private static long mix(long seed, long n) {
    long z = seed + (n + 1) * 0x9E3779B97F4A7C15L;
    z = (z ^ (z >>> 30)) * 0xBF58476D1CE4E5B9L;
    z = (z ^ (z >>> 27)) * 0x94D049BB133111EBL;
    return z ^ (z >>> 31);
  }

  /** The parts of one case being drawn. Not thread-safe; owned by one {@link #generate} call. */
  private final class Draft {
    final int index;
    final SplittableRandom random;

    Draft(int index, SplittableRandom random) {
      this.index = index;
      this.random = random;
    }

    UUID ownStream() {
      return HostileInput.this.ownStream(index, random.nextInt(ownStreams));
    }

    UUID freshStream() {
      return new UUID(random.nextLong(), random.nextLong());
    }

    /** Any of the three kinds of stream, the protected one most often. */
    UUID target() {
      int pick = random.nextInt(4);
      if (pick < 2 && protectedStream.isPresent()) {
        return protectedStream.get();
      }
      return pick == 3 ? freshStream() : ownStream();
    }

    ByteString opaqueProof() {
      return HostileBytes.random(random, random.nextInt(Frame.Hello.MAX_PROOF_BYTES + 1));
    }

    /** A valid HELLO's bytes for any stream: only for cases that break or cut it. */
    ByteString anyHello() {
      return bytes.hello(VERSION, target(), random.nextBoolean(), 0, 0,
          opaqueProof());
    }

    Frame.Hello ownHello() {
      return new Frame.Hello(VERSION, ownStream(), true, 0, 0, HostileBytes.HELLO_NONCE,
          opaqueProof());
    }

    Frame.Hello freshHello(boolean create, long position, int check) {
      return new Frame.Hello(VERSION, freshStream(), create, position, check,
          HostileBytes.HELLO_NONCE, opaqueProof());
    }

    HostileCase beforeHandshake(HostileKind kind, String description, ByteString hostile,
        Ending ending) {
      Opening opening = random.nextBoolean() ? Opening.IMMEDIATE : Opening.AFTER_CHALLENGE;
      return new HostileCase(index, kind, description, opening, Optional.empty(), false, hostile,
          ending);
    }

    HostileCase afterHandshake(HostileKind kind, String description, ByteString hostile,
        Ending ending, Frame.Hello hello) {
      return new HostileCase(index, kind, description + " after a handshake",
          Opening.AFTER_HANDSHAKE, Optional.of(hello), false, hostile, ending);
    }

    HostileCase anyPhase(HostileKind kind, String description, ByteString hostile,
        Ending ending) {
      return random.nextInt(5) < 3 ? beforeHandshake(kind, description, hostile, ending)
          : afterHandshake(kind, description, hostile, ending, ownHello());
    }
  }
}
