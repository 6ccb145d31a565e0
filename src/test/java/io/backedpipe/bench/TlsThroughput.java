package io.backedpipe.bench;

import com.typesafe.config.ConfigFactory;
import io.backedpipe.BackedPipe;
import io.backedpipe.PipeSettings;
import io.backedpipe.server.PipeServer;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.transport.TcpReconnector;
import io.backedpipe.transport.TestCertificates;
import io.backedpipe.transport.TlsContext;
import io.backedpipe.transport.TransportSettings;
import java.net.InetSocketAddress;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.util.ByteString;

/**
 * The figures of docs/security.md: a pipe's echo of 256 MiB over loopback, plain and over TLS, and
 * the time from Connect to connected, in one JVM. Not a test (surefire skips the name); run with
 * {@code java -cp target/test-classes:target/classes:<classpath> io.backedpipe.bench.TlsThroughput
 * [MiB] [connects]}.
 */
public final class TlsThroughput {
  private TlsThroughput() {}

  /**
   * Runs the measurement and prints one line per figure.
   *
   * @param args the MiB to echo (256) and the connects to time (50)
   * @throws Exception when a step fails
   */
  public static void main(String[] args) throws Exception {
    int mib = args.length > 0 ? Integer.parseInt(args[0]) : 256;
    int connects = args.length > 1 ? Integer.parseInt(args[1]) : 50;
    Path dir = Files.createTempDirectory("tls-bench");
    TestCertificates certs = TestCertificates.create(dir);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "bench",
        ConfigFactory.parseString("pekko.loglevel = WARNING").withFallback(ConfigFactory.load()));
    try {
      TlsContext server = TlsContext.load(certs.server());
      TlsContext client = TlsContext.load(certs.client());
      for (int round = 0; round < 2; round++) { // the first round warms the JIT up
        String tag = round == 0 ? "warm-up " : "";
        report(tag + "plain", system, Optional.empty(), Optional.empty(), mib, connects);
        report(tag + "TLS  ", system, Optional.of(server), Optional.of(client), mib, connects);
      }
    } finally {
      system.terminate();
    }
  }

  private static void report(String name, ActorSystem<?> system, Optional<TlsContext> serverTls,
      Optional<TlsContext> clientTls, int mib, int connects) throws Exception {
    PipeSettings pipeSettings = PipeSettings.create(system);
    TransportSettings transport = TransportSettings.create(system);
    PipeServer server = (serverTls.isPresent()
        ? PipeServer.bind(system, "127.0.0.1", 0, ServerSettings.create(system), pipeSettings,
            transport, serverTls.get(), (id, pipe) -> pipe.source().runWith(pipe.sink(), system))
        : PipeServer.bind(system, "127.0.0.1", 0, ServerSettings.create(system), pipeSettings,
            transport, (id, pipe) -> pipe.source().runWith(pipe.sink(), system)))
        .toCompletableFuture().get(10, TimeUnit.SECONDS);
    InetSocketAddress address = server.address();
    long connectNs = 0;
    for (int i = 0; i < connects; i++) {
      BackedPipe pipe = pipe(system, address, clientTls, pipeSettings, transport);
      long start = System.nanoTime();
      pipe.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
      connectNs += System.nanoTime() - start;
      pipe.close().toCompletableFuture().get(10, TimeUnit.SECONDS);
    }
    BackedPipe pipe = pipe(system, address, clientTls, pipeSettings, transport);
    pipe.connect().toCompletableFuture().get(10, TimeUnit.SECONDS);
    ByteString chunk = ByteString.fromArrayUnsafe(new byte[64 * 1024]);
    long bytes = (long) mib * 1024 * 1024;
    long start = System.nanoTime();
    Source.repeat(chunk).take(bytes / chunk.size()).runWith(pipe.sink(), system);
    long echoed = pipe.source().runWith(Sink.fold(0L, (n, b) -> n + b.size()), system)
        .toCompletableFuture().get(5, TimeUnit.MINUTES);
    double seconds = (System.nanoTime() - start) / 1e9;
    System.out.printf("%s  connect %.2f ms (mean of %d)  echo %d MiB in %.2f s = %.0f MB/s each way%n",
        name, connectNs / 1e6 / connects, connects, echoed >> 20, seconds, echoed / seconds / 1e6);
    server.unbind().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  private static BackedPipe pipe(ActorSystem<?> system, InetSocketAddress address,
      Optional<TlsContext> tls, PipeSettings settings, TransportSettings transport) {
    UUID id = UUID.randomUUID();
    TcpReconnector dialer = tls.isPresent()
        ? new TcpReconnector(system, address, id, true, transport, tls.get())
        : new TcpReconnector(system, address, id, true, transport);
    return BackedPipe.of(system.systemActorOf(BackedPipe.create(dialer, settings),
        "pipe-" + id, org.apache.pekko.actor.typed.Props.empty()), system);
  }
}
