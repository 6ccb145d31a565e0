/**
 * The frames that travel over one connection of a pipe, their byte encoding and the stream stage
 * that carries them over TCP. In-memory connections carry {@link io.backedpipe.wire.Frame} values
 * as they are; TCP connections put {@link io.backedpipe.wire.WireProtocol#frames} between the
 * frames and the bytes. {@code docs/protocol.md} says the same in prose.
 *
 * <p>All integers are big-endian (network order); "unsigned" fields are read as unsigned, every
 * other integer is two's complement. Texts are UTF-8 without a terminator; malformed UTF-8 is an
 * error, not replaced. Every frame is a 5-byte header followed by {@code length} payload bytes:
 *
 * <pre>
 *  Frame header, offsets from the start of the frame:
 *
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |      Type     |        Length (unsigned, payload bytes)     ...   0: type 1, length 4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  ...   Length    |             Payload (length bytes)          ...   5: payload
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  Type    FrameType code: DATA 0x01, ACK 0x02, PING 0x03, PONG 0x04, END_OF_STREAM 0x05,
 *          CLOSE 0x06, ERROR 0x07, CHALLENGE 0x10, HELLO 0x11, WELCOME 0x12.
 *  Length  payload bytes, header excluded; a value with the top bit set is rejected.
 *
 *  Payloads, offsets from the start of the payload (add 5 for the offset in the frame):
 *
 *  DATA (0x01), length 1..maxDataBytes
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                     Stream bytes (length)                   ...   0: length
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  ACK (0x02), END_OF_STREAM (0x05): Position, signed, &gt;= 0; length exactly 8
 *  PING (0x03), PONG (0x04): Nonce, any value; length exactly 8
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                Position or Nonce, high 32 bits                |   0: 8
 *  |                 Position or Nonce, low 32 bits                |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  CLOSE (0x06): Code = any 0..65535, Text = reason
 *  ERROR (0x07): Code = ErrorCode, Text = message
 *  length 2..1026: Text is UTF-8, at most 1024 bytes
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |        Code (unsigned)        |    Text (length - 2 bytes)  ...   0: 2, 2: length - 2
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *
 *  CHALLENGE (0x10), length exactly 24
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               Magic 0x42 0x50 0x49 0x50 ("BPIP")              |   0: 4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |       Version (unsigned)      |    Flags, bits 15..1 = 0    |P|   4: 2, 6: 2
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                       Nonce (16 bytes)                        |   8: 16
 *  ...                                                           ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  P (flag bit 0): the server has a shared secret: it requires the HELLO's proof and proves its
 *  WELCOME.
 *
 *  HELLO (0x11), length exactly 73 + Proof Length (73..137)
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |               Magic 0x42 0x50 0x49 0x50 ("BPIP")              |   0: 4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |       Version (unsigned)      |    Flags, bits 15..1 = 0    |C|   4: 2, 6: 2
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |              Stream ID, most significant 64 bits              |   8: 8
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |              Stream ID, least significant 64 bits             |  16: 8
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Read Position (signed, &gt;= 0)                 |  24: 8
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                         History Check                         |  32: 4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                 Max Data Bytes (1..16777216)                  |  36: 4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                  Window Bytes (signed, &gt;= 1)                  |  40: 8
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                Read Buffer Bytes (signed, &gt;= 1)               |  48: 8
 *  |                                                               |
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |                   Client Nonce (16 bytes)                     |  56: 16
 *  ...                                                           ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |  Proof Length |              Proof (0..64 bytes)            ...  72: 1, 73: Proof Length
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  C (flag bit 0): create the stream if the server does not know it. Max Data Bytes, Window
 *  Bytes, Read Buffer Bytes: the client's {@link io.backedpipe.wire.LinkLimits}. Client Nonce:
 *  fresh random bytes that the WELCOME's proof covers.
 *
 *  WELCOME (0x12), length exactly 44 + Detail Length + Proof Length (44..364)
 *   0                   1                   2                   3
 *   0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1 2 3 4 5 6 7 8 9 0 1
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |     Status    |             Read Position (signed)          ...   0: 1, 1: 8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  ...                       Read Position                       ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  ... Read Pos.   |                 History Check               ...   9: 4
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  ...   Hist.     |          Grace Period Millis (signed)       ...  13: 8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  ...                    Grace Period Millis                    ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  ...   Grace     |    Max Data Bytes, Window Bytes, Read Buffer  ...  21: 4, 25: 8, 33: 8
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  ...  Bytes, as in HELLO (20 bytes in all)                     ...
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  |    Detail Length (unsigned)   |  Proof Length |  Detail     ...  41: 2, 43: 1, 44: n
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  ...          Detail (n bytes), then Proof (p bytes)           ...  44 + n: p
 *  +-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+-+
 *  Status: HandshakeStatus code, one unsigned byte. Read Position: &gt;= 0, or -1 (unknown) when
 *  Status is not OK (0). Grace Period Millis: &gt;= 0. The limits: the server's {@link
 *  io.backedpipe.wire.LinkLimits}. Detail: UTF-8, n = Detail Length &lt;= 256. Proof: the
 *  server's proof of the shared secret, p = Proof Length &lt;= 64 (0 without a secret, 32 with).
 * </pre>
 *
 * <p>The decoding stage accepts frames up to {@link
 * io.backedpipe.wire.FrameCodec#maxFrameBytes}{@code (maxDataBytes)} bytes, header included,
 * checks each control frame's length against its type from the header, and hands on DATA payloads
 * as they arrive, so it never holds a whole DATA frame. A
 * receiver that gets malformed bytes ({@link io.backedpipe.wire.MalformedFrameException}, or a
 * framing failure) sends {@link io.backedpipe.wire.Frame.Error} with the code when it can and
 * closes the connection.
 */
package io.backedpipe.wire;
