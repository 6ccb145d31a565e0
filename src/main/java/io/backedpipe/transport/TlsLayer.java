package io.backedpipe.transport;

import java.net.InetSocketAddress;
import java.util.function.Supplier;
import javax.net.ssl.SSLEngine;
import javax.net.ssl.SSLException;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.TLSClosing;
import org.apache.pekko.stream.TLSProtocol;
import org.apache.pekko.stream.javadsl.BidiFlow;
import org.apache.pekko.stream.javadsl.Flow;
import org.apache.pekko.stream.javadsl.TLS;
import org.apache.pekko.util.ByteString;

/**
 * The bottom layer of a connection's stack, between the frame codec and TCP, when it runs over
 * TLS: Pekko's TLS stage with an engine from a {@link TlsContext}. Its failures (an untrusted
 * certificate, a refused client, a bad record) reach the pipe as {@link TlsFailedException}.
 *
 * <p>Closing: Pekko's TLS stage cannot half-close (once it has sent its {@code close_notify} it
 * discards what arrives). The pipe ends its own direction only when it needs nothing more from the
 * peer (after the peer's CLOSE, or after its own farewell CLOSE), so ending that direction closes
 * the TLS session ({@code eagerClose}): the peer reads our last frame, then the session's end.
 */
final class TlsLayer {
  private TlsLayer() {}

  /** The dialing side: verifies the server's certificate (and its name, by the settings). */
  static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> client(
      TlsContext tls, InetSocketAddress server) {
    return around(() -> tls.clientEngine(server.getHostString(), server.getPort()));
  }

  /** The accepting side: presents the server's certificate, asks for the client's by the settings. */
  static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> server(TlsContext tls) {
    return around(tls::serverEngine);
  }

  private static BidiFlow<ByteString, ByteString, ByteString, ByteString, NotUsed> around(
      Supplier<SSLEngine> engine) {
    BidiFlow<ByteString, TLSProtocol.SslTlsOutbound, TLSProtocol.SslTlsInbound, ByteString, NotUsed>
        plaintext = BidiFlow.fromFlows(
            Flow.<ByteString>create()
                .map(bytes -> (TLSProtocol.SslTlsOutbound) new TLSProtocol.SendBytes(bytes)),
            Flow.<TLSProtocol.SslTlsInbound>create()
                // SessionTruncated (TCP ended without close_notify) carries no bytes; the stream's
                // end says enough, and the pipe resumes from its positions either way
                .filter(in -> in instanceof TLSProtocol.SessionBytes)
                .map(in -> ((TLSProtocol.SessionBytes) in).bytes())
                .mapError(SSLException.class, TlsFailedException::new));
    return plaintext.atop(TLS.create(engine, TLSClosing.eagerClose()));
  }
}
