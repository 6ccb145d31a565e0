package io.backedpipe.cli;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import io.backedpipe.cluster.ClusterNodeConfig;
import io.backedpipe.server.ListenExposure;
import io.backedpipe.transport.TlsClientAuth;
import io.backedpipe.transport.TlsSettings;
import io.backedpipe.transport.TransportSettings;
import io.backedpipe.tunnel.ServeTunnel;
import io.backedpipe.wire.HumanText;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.io.PrintWriter;
import java.util.concurrent.Callable;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code backed-pipe serve}: the server end of the tunnel. */
@Command(name = "serve", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {"Accept pipes from 'connect' and relay each one to its own TCP connection to "
        + "the target. The target's EOF ends the stream towards the client; the client's end of "
        + "stream half-closes the target connection; a target that refuses or resets closes the "
        + "client's local connection, with the reason in the client's log. With --cluster-port "
        + "and --seed, several serve nodes make one cluster: a client may connect to any node, "
        + "first time or on a reconnect, and is attached to its stream wherever it lives.", ""})
final class ServeCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
      converter = HostPort.Converter.class, description = "Where 'connect' reaches this server.")
  HostPort listen;

  @Option(names = "--target", required = true, paramLabel = "HOST:PORT",
      converter = HostPort.Converter.class,
      description = "The service each stream is relayed to, for example 127.0.0.1:22.")
  HostPort target;

  @Option(names = "--max-pipes", paramLabel = "N",
      description = "Most streams at once (backed-pipe.server.max-pipes).")
  Integer maxPipes;

  @Option(names = {"--max-total-buffer", "--max-total-window"}, paramLabel = "SIZE",
      converter = ConfigValue.Size.class,
      description = "Most bytes all streams may hold together, window plus read buffer each "
          + "(backed-pipe.server.max-total-buffer-bytes; --max-total-window is its old name).")
  Long maxTotalWindow;

  @Option(names = "--tls-client-auth", paramLabel = "none|want|need",
      converter = ClientAuthConverter.class,
      description = "Ask clients for a certificate (checked against --tls-trust-store): need "
          + "refuses a client without one (mutual TLS); implies --tls "
          + "(backed-pipe.transport.tls.client-auth).")
  TlsClientAuth clientAuth;

  @Option(names = "--insecure",
      description = "Listen on a non-loopback address without a shared secret or TLS client "
          + "certificates: anyone who reaches the port can open streams. Refused without it.")
  boolean insecure;

  @Mixin
  CommonOptions common;

  @Mixin
  PipeOptions pipe;

  @Mixin
  SecretOptions secret;

  @Mixin
  TlsOptions tls;

  @Mixin
  ClusterOptions cluster;

  /** Reads {@code none}, {@code want} or {@code need}. */
  static final class ClientAuthConverter implements picocli.CommandLine.ITypeConverter<TlsClientAuth> {
    @Override
    public TlsClientAuth convert(String value) {
      try {
        return TlsClientAuth.parse(value);
      } catch (IllegalArgumentException e) {
        throw new picocli.CommandLine.TypeConversionException(
            "'" + value + "' is not one of none, want, need");
      }
    }
  }

  @Override
  public Integer call() throws Exception {
    Map<String, Object> extra = new LinkedHashMap<>(pipe.settings());
    extra.putAll(secret.settings());
    if (maxPipes != null) {
      extra.put("backed-pipe.server.max-pipes", maxPipes);
    }
    if (maxTotalWindow != null) {
      // Both keys: the old one, when a configuration file sets it, stands for the new one.
      extra.put("backed-pipe.server.max-total-buffer-bytes", maxTotalWindow);
      extra.put("backed-pipe.server.max-total-window-bytes", maxTotalWindow);
    }
    extra.putAll(tls.settings(System::getenv));
    if (clientAuth != null) {
      extra.put("backed-pipe.transport.tls.client-auth", clientAuth.name().toLowerCase());
      extra.put("backed-pipe.transport.tls.enabled", true);
    }
    Optional<ClusterOptions.Node> node = cluster.node(listen);
    Config config = common.load(extra,
        node.map(ClusterOptions.Node::config).orElse(ConfigFactory.empty()));
    pipe.check(config);
    ToolRuntime.validate(config);
    ToolRuntime.validateTls(config, true);
    Optional<String> refusal = refusal(listen, insecure, config);
    if (refusal.isPresent()) {
      spec.commandLine().getErr().println(refusal.get());
      return Main.USAGE;
    }
    common.applyLogLevel("INFO");
    String scheme = config.getBoolean("backed-pipe.transport.tls.enabled") ? " over TLS" : "";
    String banner = ", relaying to " + target + " (Ctrl-C stops)";
    if (node.isEmpty()) {
      return ToolRuntime.serveUntilStopped("serve", listen, config, spec.commandLine().getOut(),
          spec.commandLine().getErr(), system -> ServeTunnel.start(system, listen.address(),
              target.address(), Optional.empty())
              .thenApply(t -> closeOnShutdown(system, t))
              .thenApply(t -> "serving on " + HumanText.address(t.address()) + scheme + banner));
    }
    return ToolRuntime.serveUntilStopped("serve", ClusterNodeConfig.SYSTEM_NAME, listen, config,
        spec.commandLine().getOut(), spec.commandLine().getErr(),
        system -> ServeTunnel.startClustered(system, listen.address(), target.address(),
                Optional.empty())
            .thenApply(t -> closeOnShutdown(system, t))
            .thenApply(t -> sayWhenUp(system, t))
            .thenApply(t -> "cluster node " + Cluster.get(system).selfMember().address()
                + ", seeds " + node.get().seedText() + System.lineSeparator()
                + "serving on " + HumanText.address(t.address()) + scheme + banner));
  }

  /** Prints a line once this node has joined the cluster and is Up. */
  private ServeTunnel sayWhenUp(ActorSystem<?> system, ServeTunnel tunnel) {
    PrintWriter out = spec.commandLine().getOut();
    org.apache.pekko.cluster.Cluster cluster =
        org.apache.pekko.cluster.Cluster.get(Adapter.toClassic(system));
    cluster.registerOnMemberUp(() -> {
      out.println("cluster node " + cluster.selfAddress() + " is Up");
      out.flush();
    });
    return tunnel;
  }

  private static ServeTunnel closeOnShutdown(ActorSystem<?> system, ServeTunnel tunnel) {
    ToolRuntime.closeStreamsOnShutdown(system, tunnel::shutdown);
    return tunnel;
  }

  /**
   * Why this server must not start: an open server on an address other machines reach lets
   * anyone fill {@code max-pipes} with streams that each dial the target (issue 11).
   */
  static Optional<String> refusal(HostPort listen, boolean insecure, Config config) {
    Config section = config.getConfig("backed-pipe");
    boolean secret = TransportSettings.fromConfig(section).secret().isPresent();
    TlsSettings tlsSettings = TlsSettings.fromConfig(section);
    boolean certificates = tlsSettings.enabled()
        && tlsSettings.clientAuth() == TlsClientAuth.NEED;
    if (insecure || secret || certificates || ListenExposure.isLoopbackOnly(listen.host())) {
      return Optional.empty();
    }
    return Optional.of("serve: refusing to listen on " + listen + " without authentication:"
        + " give --secret-file or --secret-env (or TLS with --tls-client-auth need), or"
        + " --insecure to accept anyone who reaches the port");
  }
}
