package io.backedpipe.cluster;

import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import io.backedpipe.wire.MalformedFrameException;
import java.io.NotSerializableException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.UnknownHostException;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import org.apache.pekko.actor.ExtendedActorSystem;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.ByteBufferSerializer;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.serialization.Serializer;
import org.apache.pekko.serialization.SerializerWithStringManifest;
import org.apache.pekko.serialization.Serializers;
import org.apache.pekko.stream.SinkRef;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
import scala.util.Try;

/**
 * The Pekko serializer of what cluster mode sends between nodes: every {@link Frame} (the elements
 * of the stream refs that carry a connection's frames, and the WELCOME replies) and the {@link
 * PipeEntity} messages {@link PipeEntity.Locate}, {@link PipeEntity.Located} and {@link
 * PipeEntity.AttachRemote}. {@link PipeEntity.AttachLocal} and {@link PipeEntity.HandOff} never
 * leave their node and are refused. Registered in {@code reference.conf} as {@code
 * backed-pipe-cluster} with identifier {@value #IDENTIFIER}; the bindings matter only to an actor
 * system whose provider is {@code cluster} (or {@code remote}).
 *
 * <p>Stateless, so thread-safe; Pekko creates one per actor system, reflectively, with the system
 * as its argument. It also implements {@link ByteBufferSerializer}, so Artery writes a message
 * straight into its envelope buffer and reads it from there; the array methods give the same
 * bytes. A DATA payload is copied once each way: into the buffer (or array) on the way out, and
 * out of the buffer on the way in (an array passed to {@link #fromBinary(byte[], String)} is
 * taken over, not copied, so the decoded payload references it).
 *
 * <p>Layout, all integers big-endian; the manifest, which Pekko carries next to the bytes, says
 * which layout follows. Nothing may follow the last field.
 *
 * <pre>
 * manifest "F", every Frame: the frame exactly as on a pipe's TCP connection (FrameCodec,
 * wire/package-info.java), at most FrameCodec.maxFrameBytes(MAX_DATA_BYTES) bytes:
 *   0        1                  5
 *   +--------+------------------+------------------------+
 *   |  type  | length (int32)   | payload (length bytes) |
 *   +--------+------------------+------------------------+
 *
 * manifest "L", Locate:        ref replyTo
 * manifest "D", Located:       ref entity
 * manifest "A", AttachRemote:  block hello | address client | nested fromClient
 *                              | nested toClient | ref replyTo
 *
 * block   = int32 length (0..MAX_BLOCK_BYTES), then that many bytes
 * ref     = block holding the typed ActorRefResolver's serialization format, in UTF-8
 * hello   = the HELLO frame's wire bytes, as for manifest "F"
 * address = uint8 address length (4 or 16) | address bytes | uint16 port
 *           (never a host name, nor an IPv6 scope id)
 * nested  = int32 serializer id | block manifest (UTF-8) | block bytes
 *           (Pekko's own serialization of the SourceRef or SinkRef)
 * </pre>
 *
 * <p>Artery bounds every message by {@code pekko.remote.artery.advanced.maximum-frame-size} (256
 * KiB by default, its envelope included), and a frame in a stream ref travels inside the stream
 * ref's own envelope ({@code SequencedOnNext}, through the array methods here): a DATA frame of
 * the default {@code backed-pipe.max-frame-bytes} (256 KiB) does not fit, and Artery discards it
 * as oversized. Cluster mode must keep DATA frames below that bound or raise it.
 *
 * <p>Bytes that do not follow the layout (truncated, trailing bytes, a length past the end or
 * above its limit, an unknown manifest, a frame the codec refuses, a ref Pekko cannot resolve)
 * are refused with a {@link NotSerializableException} whose message is {@code key=value} style.
 */
public final class ClusterSerializer extends SerializerWithStringManifest
    implements ByteBufferSerializer {
  /** This serializer's identifier in Pekko's registry: in the user range (above 40), fixed. */
  public static final int IDENTIFIER = 7_318_001;

  /** The manifest of every {@link Frame}: the codec's header carries the frame type. */
  public static final String FRAME_MANIFEST = "F";
  /** The manifest of {@link PipeEntity.Locate}. */
  public static final String LOCATE_MANIFEST = "L";
  /** The manifest of {@link PipeEntity.Located}. */
  public static final String LOCATED_MANIFEST = "D";
  /** The manifest of {@link PipeEntity.AttachRemote}. */
  public static final String ATTACH_REMOTE_MANIFEST = "A";

  /**
   * The most bytes of one length-prefixed block (an actor path, a nested manifest or nested
   * serialized bytes, a HELLO): far above what any of them needs, so that a corrupt length is
   * refused as such.
   */
  public static final int MAX_BLOCK_BYTES = 64 * 1024;

  private static final ByteOrder ORDER = ByteOrder.BIG_ENDIAN;
  private static final int IPV4_BYTES = 4;
  private static final int IPV6_BYTES = 16;

  private final ExtendedActorSystem system;
  private final FrameCodec codec = new FrameCodec(FrameCodec.MAX_DATA_BYTES);

  /**
   * Creates the serializer; Pekko calls this reflectively when it loads its serializers.
   *
   * @param system the actor system the serializer belongs to
   */
  public ClusterSerializer(ExtendedActorSystem system) {
    this.system = system;
  }

  /**
   * This serializer's identifier.
   *
   * @return {@value #IDENTIFIER}
   */
  @Override
  public int identifier() {
    return IDENTIFIER;
  }

  /**
   * The manifest that tells {@link #fromBinary(byte[], String)} which layout follows.
   *
   * @param o a message this serializer handles
   * @return one of the {@code *_MANIFEST} constants
   * @throws IllegalArgumentException if {@code o} is not a message sent between nodes
   */
  @Override
  public String manifest(Object o) {
    if (o instanceof Frame) {
      return FRAME_MANIFEST;
    } else if (o instanceof PipeEntity.Locate) {
      return LOCATE_MANIFEST;
    } else if (o instanceof PipeEntity.Located) {
      return LOCATED_MANIFEST;
    } else if (o instanceof PipeEntity.AttachRemote) {
      return ATTACH_REMOTE_MANIFEST;
    }
    throw unsupported(o);
  }

  /**
   * Serializes a message to a new array.
   *
   * @param o a message this serializer handles
   * @return its bytes, in the layout of its manifest
   * @throws IllegalArgumentException if {@code o} is not a message sent between nodes, or a part
   *     of it cannot be serialized (an unresolved client address, a nested serializer's failure)
   */
  @Override
  public byte[] toBinary(Object o) {
    // Freshly built and referenced by nobody else, so handing out its array is safe; a DATA
    // frame (header and payload in two parts) is copied into a new array here, once.
    return encode(o).toArrayUnsafe();
  }

  /**
   * Serializes a message into Artery's buffer, from its position on; a DATA payload is copied
   * straight into it. The buffer's own byte order does not matter.
   *
   * @param o a message this serializer handles
   * @param buf the buffer written to; its position moves past the message
   * @throws BufferOverflowException if the message does not fit the buffer's remaining bytes
   *     (nothing is written then; Artery discards the message as oversized)
   * @throws IllegalArgumentException as {@link #toBinary(Object)}
   */
  @Override
  public void toBinary(Object o, ByteBuffer buf) {
    ByteString bytes = encode(o);
    if (bytes.size() > buf.remaining()) {
      throw new BufferOverflowException();
    }
    bytes.copyToBuffer(buf);
  }

  /**
   * Deserializes a message from an array, which is taken over: a DATA payload references it.
   *
   * @param bytes the message's bytes; not modified afterwards by the caller
   * @param manifest the manifest it was serialized with
   * @return the message
   * @throws NotSerializableException if the manifest is unknown or the bytes do not follow its
   *     layout
   */
  @Override
  public Object fromBinary(byte[] bytes, String manifest) throws NotSerializableException {
    return decode(ByteString.fromArrayUnsafe(bytes), manifest);
  }

  /**
   * Deserializes a message from Artery's buffer: its remaining bytes are copied out once (the
   * buffer is reused), and a DATA payload references that copy.
   *
   * @param buf the message's bytes, from position to limit
   * @param manifest the manifest it was serialized with
   * @return the message
   * @throws NotSerializableException if the manifest is unknown or the bytes do not follow its
   *     layout
   */
  @Override
  public Object fromBinary(ByteBuffer buf, String manifest) throws NotSerializableException {
    if (FRAME_MANIFEST.equals(manifest) && buf.remaining() > maxFrameBytes()) {
      throw new NotSerializableException("manifest=F size=" + buf.remaining()
          + " must be <= " + maxFrameBytes());
    }
    return decode(ByteString.fromByteBuffer(buf), manifest);
  }

  private ByteString encode(Object o) {
    if (o instanceof Frame frame) {
      return codec.encode(frame);
    } else if (o instanceof PipeEntity.Locate locate) {
      return ref(ByteString.newBuilder(), locate.replyTo()).result();
    } else if (o instanceof PipeEntity.Located located) {
      return ref(ByteString.newBuilder(), located.entity()).result();
    } else if (o instanceof PipeEntity.AttachRemote attach) {
      ByteStringBuilder b = ByteString.newBuilder();
      block(b, codec.encode(attach.hello()));
      address(b, attach.client());
      nested(b, attach.fromClient());
      nested(b, attach.toClient());
      return ref(b, attach.replyTo()).result();
    }
    throw unsupported(o);
  }

  private Object decode(ByteString bytes, String manifest) throws NotSerializableException {
    switch (manifest) {
      case FRAME_MANIFEST:
        return frame(bytes, manifest);
      case LOCATE_MANIFEST: {
        MessageReader in = new MessageReader(bytes, manifest);
        ActorRef<PipeEntity.Located> replyTo = ref(in, "replyTo");
        in.end();
        return new PipeEntity.Locate(replyTo);
      }
      case LOCATED_MANIFEST: {
        MessageReader in = new MessageReader(bytes, manifest);
        ActorRef<PipeEntity.Command> entity = ref(in, "entity");
        in.end();
        return new PipeEntity.Located(entity);
      }
      case ATTACH_REMOTE_MANIFEST:
        return attachRemote(new MessageReader(bytes, manifest));
      default:
        throw new NotSerializableException("manifest=" + manifest + " is unknown to "
            + getClass().getName() + " (identifier=" + IDENTIFIER + ")");
    }
  }

  private PipeEntity.AttachRemote attachRemote(MessageReader in) throws NotSerializableException {
    Frame hello = frame(in.block("hello"), in.manifest());
    if (!(hello instanceof Frame.Hello h)) {
      throw new NotSerializableException("manifest=A field=hello holds "
          + FrameCodec.describe(hello) + ", not a HELLO");
    }
    InetSocketAddress client = address(in);
    SourceRef<Frame> fromClient = nested(in, "fromClient", SourceRef.class);
    SinkRef<Frame> toClient = nested(in, "toClient", SinkRef.class);
    ActorRef<Frame.Welcome> replyTo = ref(in, "replyTo");
    in.end();
    return new PipeEntity.AttachRemote(h, client, fromClient, toClient, replyTo);
  }

  private Frame frame(ByteString bytes, String manifest) throws NotSerializableException {
    try {
      return codec.decode(bytes);
    } catch (MalformedFrameException e) {
      throw notSerializable("manifest=" + manifest + " " + e.getMessage(), e);
    }
  }

  private ByteStringBuilder ref(ByteStringBuilder b, ActorRef<?> ref) {
    return block(b, ByteString.fromString(resolver().toSerializationFormat(ref),
        StandardCharsets.UTF_8));
  }

  private <T> ActorRef<T> ref(MessageReader in, String field) throws NotSerializableException {
    String path = utf8(in.block(field), in.manifest(), field);
    try {
      return resolver().resolveActorRef(path);
    } catch (RuntimeException e) {
      throw notSerializable("manifest=" + in.manifest() + " field=" + field + " path="
          + path + " cannot be resolved: " + e, e);
    }
  }

  private static void address(ByteStringBuilder b, InetSocketAddress client) {
    InetAddress address = client.getAddress();
    if (address == null) {
      throw new IllegalArgumentException("client=" + client
          + " is unresolved: AttachRemote carries an address, never a host name");
    }
    byte[] raw = address.getAddress();
    b.putByte((byte) raw.length).putBytes(raw).putShort(client.getPort(), ORDER);
  }

  private static InetSocketAddress address(MessageReader in) throws NotSerializableException {
    int length = in.u8("client");
    if (length != IPV4_BYTES && length != IPV6_BYTES) {
      throw new NotSerializableException("manifest=" + in.manifest() + " field=client addressLength="
          + length + " must be " + IPV4_BYTES + " or " + IPV6_BYTES);
    }
    byte[] raw = in.bytes("client", length).toArray();
    int port = in.u16("client");
    try {
      return new InetSocketAddress(InetAddress.getByAddress(raw), port); // no name lookup
    } catch (UnknownHostException e) {
      throw notSerializable("manifest=" + in.manifest() + " field=client " + e.getMessage(), e);
    }
  }

  private void nested(ByteStringBuilder b, Object ref) {
    Serializer serializer = serialization().findSerializerFor(ref);
    b.putInt(serializer.identifier(), ORDER);
    block(b, ByteString.fromString(Serializers.manifestFor(serializer, ref),
        StandardCharsets.UTF_8));
    block(b, ByteString.fromArrayUnsafe(serializer.toBinary(ref)));
  }

  @SuppressWarnings("unchecked")
  private <T> T nested(MessageReader in, String field, Class<?> type) throws NotSerializableException {
    int serializerId = in.int32(field);
    String manifest = utf8(in.block(field), in.manifest(), field);
    byte[] bytes = in.block(field).toArray();
    Try<Object> result = serialization().deserialize(bytes, serializerId, manifest);
    if (result.isFailure()) {
      Throwable cause = result.failed().get();
      throw notSerializable("manifest=" + in.manifest() + " field=" + field + " serializerId="
          + serializerId + " nestedManifest=" + manifest + " failed: " + cause, cause);
    }
    Object value = result.get();
    if (!type.isInstance(value)) {
      throw new NotSerializableException("manifest=" + in.manifest() + " field=" + field + " holds "
          + value.getClass().getName() + ", not a " + type.getName());
    }
    return (T) value;
  }

  private static ByteStringBuilder block(ByteStringBuilder b, ByteString bytes) {
    if (bytes.size() > MAX_BLOCK_BYTES) {
      throw new IllegalArgumentException("block.size=" + bytes.size() + " must be <= "
          + MAX_BLOCK_BYTES);
    }
    return b.putInt(bytes.size(), ORDER).append(bytes);
  }

  private static String utf8(ByteString bytes, String manifest, String field)
      throws NotSerializableException {
    try {
      return StandardCharsets.UTF_8.newDecoder()
          .onMalformedInput(CodingErrorAction.REPORT)
          .onUnmappableCharacter(CodingErrorAction.REPORT)
          .decode(bytes.asByteBuffer())
          .toString();
    } catch (CharacterCodingException e) {
      throw notSerializable("manifest=" + manifest + " field=" + field + " is not valid UTF-8",
          e);
    }
  }

  private ActorRefResolver resolver() {
    return ActorRefResolver.get(Adapter.toTyped(system)); // an extension lookup, no state here
  }

  private Serialization serialization() {
    return SerializationExtension.get(system);
  }

  private static int maxFrameBytes() {
    return FrameCodec.maxFrameBytes(FrameCodec.MAX_DATA_BYTES);
  }

  private static IllegalArgumentException unsupported(Object o) {
    String type = o == null ? "null" : o.getClass().getName();
    if (o instanceof PipeEntity.AttachLocal || o instanceof PipeEntity.HandOff) {
      return new IllegalArgumentException("message=" + type
          + " is never sent between nodes: it stays in the JVM of the entity it is for");
    }
    return new IllegalArgumentException("message=" + type + " is not handled by "
        + ClusterSerializer.class.getName());
  }

  private static NotSerializableException notSerializable(String message, Throwable cause) {
    NotSerializableException e = new NotSerializableException(message);
    e.initCause(cause);
    return e;
  }
}
