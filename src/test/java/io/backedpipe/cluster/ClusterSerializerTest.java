package io.backedpipe.cluster;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.typesafe.config.ConfigFactory;
import io.backedpipe.Connection;
import io.backedpipe.wire.ErrorCode;
import io.backedpipe.wire.Frame;
import io.backedpipe.wire.FrameCodec;
import io.backedpipe.wire.FrameType;
import io.backedpipe.wire.HandshakeStatus;
import io.backedpipe.wire.LinkLimits;
import java.io.NotSerializableException;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.nio.BufferOverflowException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.EnumSet;
import java.util.List;
import java.util.OptionalInt;
import java.util.Random;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorRefResolver;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.serialization.Serialization;
import org.apache.pekko.serialization.SerializationExtension;
import org.apache.pekko.stream.SinkRef;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.apache.pekko.util.ByteString;
import org.apache.pekko.util.ByteStringBuilder;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;

/**
 * The cluster serializer on a one-node cluster-mode actor system (not joined: serializing refs
 * needs only the provider), taken from Pekko's registry as configured by {@code reference.conf}.
 */
class ClusterSerializerTest {
  private static final ActorTestKit testKit = clusterMode("ClusterSerializerTest");
  /** A second node, for the messages that cross Artery for real. */
  private static final ActorTestKit otherNode = clusterMode("ClusterSerializerTestOther");

  /** Bounds every wait; no test relies on how long anything takes. */
  private static final Duration WAIT = Duration.ofSeconds(10);

  private static final Serialization serialization =
      SerializationExtension.get(Adapter.toClassic(testKit.system()));

  private static final ClusterSerializer serializer =
      (ClusterSerializer) serialization.findSerializerFor(new Frame.Ack(0));

  @AfterAll
  static void shutdown() {
    otherNode.shutdownTestKit();
    testKit.shutdownTestKit();
  }

  private static ActorTestKit clusterMode(String name) {
    return ActorTestKit.create(name, ConfigFactory.parseString(String.join("\n",
            "pekko.actor.provider = cluster",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.remote.artery.canonical.hostname = 127.0.0.1",
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on"))
        .withFallback(ConfigFactory.load()));
  }

  private static ByteString bytes(int size, int seed) {
    byte[] raw = new byte[size];
    new Random(seed).nextBytes(raw);
    return ByteString.fromArray(raw);
  }

  private static Frame.Hello hello() {
    return new Frame.Hello(FrameCodec.PROTOCOL_VERSION, new UUID(0x0123456789ABCDEFL, 42), true,
        1234, 99, new LinkLimits(65536, 1 << 20, 1 << 21), bytes(Frame.Hello.NONCE_BYTES, 1),
        bytes(32, 2));
  }

  /** One frame of every type, so that each type round-trips. */
  private static List<Frame> everyFrame() {
    return List.of(
        new Frame.Data(bytes(100, 3)),
        new Frame.Ack(17),
        new Frame.EndOfStream(Long.MAX_VALUE),
        new Frame.Ping(-5),
        new Frame.Pong(Long.MIN_VALUE),
        new Frame.Close(1000, "bye \u00e9\u6f22"),
        new Frame.Error(ErrorCode.HEARTBEAT_TIMEOUT, "late"),
        new Frame.Challenge(FrameCodec.PROTOCOL_VERSION, true, bytes(16, 4)),
        hello(),
        new Frame.Welcome(HandshakeStatus.OK, 77, 5, 60_000, LinkLimits.NONE, "ok", bytes(32, 5)),
        new Frame.Welcome(HandshakeStatus.LIMIT_REACHED, -1, 0, 0, LinkLimits.NONE, "full"));
  }

  private static PipeEntity.AttachRemote attachRemote() throws Exception {
    SourceRef<Frame> fromClient = Source.<Frame>single(new Frame.Ping(1))
        .runWith(StreamRefs.sourceRef(), testKit.system());
    SinkRef<Frame> toClient = StreamRefs.<Frame>sinkRef().to(Sink.ignore()).run(testKit.system());
    InetSocketAddress client = new InetSocketAddress(
        InetAddress.getByAddress(new byte[] {(byte) 192, (byte) 168, 1, 7}), 40123);
    return new PipeEntity.AttachRemote(hello(), client, fromClient, toClient,
        testKit.<Frame.Welcome>createTestProbe().ref());
  }

  private static List<Object> everyEntityMessage() throws Exception {
    return List.of(
        new PipeEntity.Locate(testKit.<PipeEntity.Located>createTestProbe().ref()),
        new PipeEntity.Located(testKit.<PipeEntity.Command>createTestProbe().ref()),
        attachRemote());
  }

  private static Object viaArray(Object message) throws NotSerializableException {
    return serializer.fromBinary(serializer.toBinary(message), serializer.manifest(message));
  }

  /** As Artery does it: into a little-endian direct buffer at an offset, then read back. */
  private static Object viaBuffer(Object message) throws NotSerializableException {
    ByteBuffer buffer = ByteBuffer.allocateDirect(512 * 1024).order(ByteOrder.LITTLE_ENDIAN);
    buffer.position(13);
    serializer.toBinary(message, buffer);
    buffer.limit(buffer.position()).position(13);
    return serializer.fromBinary(buffer, serializer.manifest(message));
  }

  @Test
  void shouldRoundTripEveryFrameTypeWhenSerializedToArrayOrBuffer() throws Exception {
    Set<FrameType> seen = EnumSet.noneOf(FrameType.class);
    for (Frame frame : everyFrame()) {
      assertEquals(ClusterSerializer.FRAME_MANIFEST, serializer.manifest(frame));
      assertEquals(frame, viaArray(frame));
      assertEquals(frame, viaBuffer(frame));
      seen.add(FrameType.of(frame));
    }
    assertEquals(EnumSet.complementOf(EnumSet.of(FrameType.UNKNOWN)), seen);
  }

  @Test
  void shouldWriteTheCodecsWireBytesWhenSerializingAFrame() {
    for (Frame frame : everyFrame()) {
      ByteString wire = new FrameCodec(FrameCodec.MAX_DATA_BYTES).encode(frame);
      assertArrayEquals(wire.toArray(), serializer.toBinary(frame));
    }
  }

  @Test
  void shouldRoundTripA256KibDataFrameWhenSerializedToArrayOrBuffer() throws Exception {
    Frame.Data data = new Frame.Data(bytes(256 * 1024, 6));
    assertEquals(data, viaArray(data));
    assertEquals(data, viaBuffer(data));
  }

  @Test
  void shouldReferenceTheArrayWhenDecodingDataFromAnArray() throws Exception {
    byte[] wire = serializer.toBinary(new Frame.Data(ByteString.fromString("abc")));
    Frame.Data decoded = (Frame.Data) serializer.fromBinary(wire, ClusterSerializer.FRAME_MANIFEST);
    wire[FrameCodec.HEADER_BYTES] = 'x'; // visible through the payload: it was not copied
    assertEquals(ByteString.fromString("xbc"), decoded.payload());
  }

  @Test
  void shouldThrowBufferOverflowWhenTheBufferIsTooSmall() {
    ByteBuffer buffer = ByteBuffer.allocate(1000);
    Frame.Data data = new Frame.Data(bytes(2000, 7));
    assertThrows(BufferOverflowException.class, () -> serializer.toBinary(data, buffer));
    assertEquals(0, buffer.position());
  }

  @Test
  void shouldRoundTripEntityMessagesWithRealRefsWhenSerializedToArrayOrBuffer() throws Exception {
    for (Object message : everyEntityMessage()) {
      assertEquals(message, viaArray(message));
      assertEquals(message, viaBuffer(message));
    }
  }

  @Test
  void shouldKeepEveryPartOfAttachRemoteWhenRoundTripped() throws Exception {
    PipeEntity.AttachRemote original = attachRemote();
    PipeEntity.AttachRemote copy = (PipeEntity.AttachRemote) viaBuffer(original);
    assertEquals(original.hello(), copy.hello());
    assertEquals(original.client(), copy.client());
    assertEquals(40123, copy.client().getPort());
    assertEquals("192.168.1.7", copy.client().getAddress().getHostAddress());
    assertEquals(original.fromClient(), copy.fromClient());
    assertEquals(original.toClient(), copy.toClient());
    assertEquals(original.replyTo(), copy.replyTo());
  }

  @Test
  void shouldKeepAnIpv6ClientWhenRoundTripped() throws Exception {
    PipeEntity.AttachRemote base = attachRemote();
    InetSocketAddress v6 = new InetSocketAddress(InetAddress.getByName("2001:db8::1"), 65535);
    PipeEntity.AttachRemote message = new PipeEntity.AttachRemote(base.hello(), v6,
        base.fromClient(), base.toClient(), base.replyTo());
    assertEquals(v6, ((PipeEntity.AttachRemote) viaArray(message)).client());
  }

  @Test
  void shouldBeFoundInTheRegistryWhenAMessageIsBoundToIt() throws Exception {
    List<Object> messages = new ArrayList<>(everyFrame());
    messages.addAll(everyEntityMessage());
    for (Object message : messages) {
      assertSame(serializer, serialization.findSerializerFor(message), message.toString());
      assertEquals(ClusterSerializer.IDENTIFIER, serialization.findSerializerFor(message)
          .identifier());
      byte[] bytes = serialization.serialize(message).get();
      assertEquals(message, serialization.deserialize(bytes, ClusterSerializer.IDENTIFIER,
          serializer.manifest(message)).get());
    }
  }

  @Test
  void shouldRefuseWhenTheMessageNeverCrossesNodes() {
    PipeEntity.AttachLocal local = new PipeEntity.AttachLocal(hello(),
        new InetSocketAddress("127.0.0.1", 1), new Connection(0, OptionalInt.empty(),
            Flow.fromSinkAndSource(Sink.ignore(), Source.<Frame>maybe())),
        new CompletableFuture<>());
    for (Object message : List.of(local, PipeEntity.HandOff.INSTANCE)) {
      IllegalArgumentException e = assertThrows(IllegalArgumentException.class,
          () -> serializer.toBinary(message));
      assertTrue(e.getMessage().contains("never sent between nodes"), e.getMessage());
      assertThrows(IllegalArgumentException.class,
          () -> serializer.toBinary(message, ByteBuffer.allocate(100)));
    }
  }

  @Test
  void shouldRefuseWhenTheClientAddressIsUnresolved() throws Exception {
    PipeEntity.AttachRemote base = attachRemote();
    PipeEntity.AttachRemote message = new PipeEntity.AttachRemote(base.hello(),
        InetSocketAddress.createUnresolved("client.example", 1), base.fromClient(),
        base.toClient(), base.replyTo());
    assertThrows(IllegalArgumentException.class, () -> serializer.toBinary(message));
  }

  @Test
  void shouldThrowNotSerializableWhenAnyMessageIsTruncated() throws Exception {
    List<Object> messages = new ArrayList<>(everyFrame());
    messages.addAll(everyEntityMessage());
    for (Object message : messages) {
      byte[] whole = serializer.toBinary(message);
      String manifest = serializer.manifest(message);
      for (int length = 0; length < whole.length; length++) {
        byte[] cut = Arrays.copyOf(whole, length);
        assertThrows(NotSerializableException.class, () -> serializer.fromBinary(cut, manifest),
            message + " cut to " + length);
        assertThrows(NotSerializableException.class,
            () -> serializer.fromBinary(ByteBuffer.wrap(cut), manifest));
      }
    }
  }

  @Test
  void shouldThrowNotSerializableWhenTrailingBytesFollow() throws Exception {
    List<Object> messages = new ArrayList<>(everyFrame());
    messages.addAll(everyEntityMessage());
    for (Object message : messages) {
      byte[] whole = serializer.toBinary(message);
      byte[] longer = Arrays.copyOf(whole, whole.length + 1);
      assertThrows(NotSerializableException.class,
          () -> serializer.fromBinary(longer, serializer.manifest(message)), message.toString());
    }
  }

  @Test
  void shouldThrowNotSerializableWhenTheBytesAreGarbage() {
    Random random = new Random(20261204);
    for (String manifest : List.of("F", "L", "D", "A")) {
      for (int i = 0; i < 200; i++) {
        byte[] garbage = new byte[random.nextInt(300)];
        random.nextBytes(garbage);
        assertThrows(NotSerializableException.class,
            () -> serializer.fromBinary(garbage, manifest));
      }
    }
  }

  @Test
  void shouldThrowNotSerializableWhenTheManifestIsUnknown() {
    NotSerializableException e = assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(serializer.toBinary(new Frame.Ack(1)), "Z"));
    assertTrue(e.getMessage().startsWith("manifest=Z is unknown"), e.getMessage());
  }

  @Test
  void shouldThrowNotSerializableWhenABlockLengthIsPastTheEndOrOversized() {
    for (int length : new int[] {5, ClusterSerializer.MAX_BLOCK_BYTES + 1, Integer.MAX_VALUE, -1}) {
      byte[] bytes = ByteString.newBuilder().putInt(length, ByteOrder.BIG_ENDIAN)
          .putBytes(new byte[] {'a', 'b'}).result().toArray();
      NotSerializableException e = assertThrows(NotSerializableException.class,
          () -> serializer.fromBinary(bytes, ClusterSerializer.LOCATE_MANIFEST));
      assertTrue(e.getMessage().startsWith("manifest=L field=replyTo"), e.getMessage());
    }
  }

  @Test
  void shouldThrowNotSerializableWhenAFrameIsOversized() {
    byte[] header = ByteString.newBuilder().putByte((byte) FrameType.DATA.code())
        .putInt(FrameCodec.MAX_DATA_BYTES + 1, ByteOrder.BIG_ENDIAN).putByte((byte) 1).result()
        .toArray();
    assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(header, ClusterSerializer.FRAME_MANIFEST));
    ByteBuffer huge = ByteBuffer.allocate(FrameCodec.maxFrameBytes(FrameCodec.MAX_DATA_BYTES) + 1);
    NotSerializableException e = assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(huge, ClusterSerializer.FRAME_MANIFEST));
    assertTrue(e.getMessage().startsWith("manifest=F size="), e.getMessage());
  }

  @Test
  void shouldThrowNotSerializableWhenTheHelloFieldHoldsAnotherFrame() throws Exception {
    byte[] whole = serializer.toBinary(attachRemote());
    ByteString hello = new FrameCodec(FrameCodec.MAX_DATA_BYTES).encode(hello());
    ByteString ack = new FrameCodec(FrameCodec.MAX_DATA_BYTES).encode(new Frame.Ack(3));
    ByteString rest = ByteString.fromArray(whole).drop(4 + hello.size());
    byte[] swapped = new ByteStringBuilder().putInt(ack.size(), ByteOrder.BIG_ENDIAN)
        .append(ack).append(rest).result().toArray();
    NotSerializableException e = assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(swapped, ClusterSerializer.ATTACH_REMOTE_MANIFEST));
    assertTrue(e.getMessage().contains("not a HELLO"), e.getMessage());
  }

  @Test
  void shouldThrowNotSerializableWhenTheNestedSerializerIsUnknown() throws Exception {
    byte[] whole = serializer.toBinary(attachRemote());
    int helloBytes = new FrameCodec(FrameCodec.MAX_DATA_BYTES).encode(hello()).size();
    int serializerIdOffset = 4 + helloBytes + 1 + 4 + 2;
    ByteBuffer.wrap(whole).putInt(serializerIdOffset, 999_999_999);
    NotSerializableException e = assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(whole, ClusterSerializer.ATTACH_REMOTE_MANIFEST));
    assertTrue(e.getMessage().startsWith("manifest=A field=fromClient serializerId=999999999"),
        e.getMessage());
  }

  @Test
  void shouldThrowNotSerializableWhenTheAddressLengthIsWrong() throws Exception {
    byte[] whole = serializer.toBinary(attachRemote());
    int helloBytes = new FrameCodec(FrameCodec.MAX_DATA_BYTES).encode(hello()).size();
    whole[4 + helloBytes] = 5;
    NotSerializableException e = assertThrows(NotSerializableException.class,
        () -> serializer.fromBinary(whole, ClusterSerializer.ATTACH_REMOTE_MANIFEST));
    assertEquals("manifest=A field=client addressLength=5 must be 4 or 16", e.getMessage());
  }

  /**
   * Through Artery between two nodes, as cluster mode uses it: frames told to an actor on the
   * other node (the ByteBuffer path) and through a SourceRef (the array path, nested in the stream
   * ref's own envelope), and a Locate answered across with a Located whose entity ref works from
   * here. The DATA frame stays below Artery's maximum-frame-size (256 KiB by default, envelope
   * included), which a 256 KiB frame does not.
   */
  @Test
  void shouldCrossArteryWhenSentToAnotherNode() throws Exception {
    TestProbe<Object> there = otherNode.createTestProbe();
    ActorRef<Object> remote = ActorRefResolver.get(testKit.system()).resolveActorRef(
        ActorRefResolver.get(otherNode.system()).toSerializationFormat(there.ref()));
    for (Frame frame : List.of(new Frame.Data(bytes(200 * 1024, 8)), hello(), new Frame.Ack(9))) {
      remote.tell(frame);
      assertEquals(frame, there.receiveMessage(WAIT));
    }

    List<Frame> frames = everyFrame();
    remote.tell(Source.from(frames).runWith(StreamRefs.sourceRef(), testKit.system()));
    SourceRef<?> arrived = (SourceRef<?>) there.receiveMessage(WAIT);
    assertEquals(frames, arrived.getSource().runWith(Sink.seq(), otherNode.system())
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS));

    TestProbe<PipeEntity.Located> locator = testKit.createTestProbe();
    TestProbe<PipeEntity.Command> entity = otherNode.createTestProbe();
    remote.tell(new PipeEntity.Locate(locator.ref()));
    PipeEntity.Locate locate = (PipeEntity.Locate) there.receiveMessage(WAIT);
    locate.replyTo().tell(new PipeEntity.Located(entity.ref()));
    locator.receiveMessage(WAIT).entity().tell(new PipeEntity.Locate(locator.ref()));
    assertTrue(entity.receiveMessage(WAIT) instanceof PipeEntity.Locate);
  }

  /** AttachRemote to another node: its hello and client arrive, its refs work from there. */
  @Test
  void shouldAttachAcrossArteryWhenSentToAnotherNode() throws Exception {
    TestProbe<Object> there = otherNode.createTestProbe();
    ActorRef<Object> remote = ActorRefResolver.get(testKit.system()).resolveActorRef(
        ActorRefResolver.get(otherNode.system()).toSerializationFormat(there.ref()));
    TestProbe<Frame.Welcome> welcomes = testKit.createTestProbe();
    PipeEntity.AttachRemote base = attachRemote();
    PipeEntity.AttachRemote sent = new PipeEntity.AttachRemote(base.hello(), base.client(),
        base.fromClient(), base.toClient(), welcomes.ref());
    remote.tell(sent);
    PipeEntity.AttachRemote arrived = (PipeEntity.AttachRemote) there.receiveMessage(WAIT);
    assertEquals(sent.hello(), arrived.hello());
    assertEquals(sent.client(), arrived.client());
    Frame.Welcome welcome = new Frame.Welcome(HandshakeStatus.OK, 0, 0, 1000, LinkLimits.NONE,
        "");
    arrived.replyTo().tell(welcome);
    assertEquals(welcome, welcomes.receiveMessage(WAIT));
    assertEquals(List.of(new Frame.Ping(1)), arrived.fromClient().getSource()
        .runWith(Sink.seq(), otherNode.system()).toCompletableFuture()
        .get(WAIT.toSeconds(), TimeUnit.SECONDS));
  }
}
