package io.backedpipe.cli;

import com.typesafe.config.Config;
import io.backedpipe.tunnel.ConnectTunnel;
import io.backedpipe.wire.HumanText;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;
import picocli.CommandLine.Model.CommandSpec;

/** {@code backed-pipe connect}: the client end of the tunnel, a local port forward. */
@Command(name = "connect", mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = {"Forward a local port through 'serve': each local TCP connection becomes one "
        + "pipe to the server, relayed to the server's target. While the link to the server is "
        + "cut or blackholed the local application notices nothing, up to the grace period. "
        + "EOF and half-close pass both ways; a local reset closes the target's connection.", ""})
final class ConnectCommand implements Callable<Integer> {
  @Spec
  CommandSpec spec;

  @Option(names = "--server", required = true, paramLabel = "HOST:PORT",
      converter = HostPort.Converter.class, description = "Where 'serve' listens.")
  HostPort server;

  @Option(names = "--listen", required = true, paramLabel = "HOST:PORT",
      converter = HostPort.Converter.class,
      description = "The local address applications connect to, for example 127.0.0.1:2222.")
  HostPort listen;

  @Mixin
  CommonOptions common;

  @Mixin
  PipeOptions pipe;

  @Mixin
  SecretOptions secret;

  @Mixin
  TlsOptions tls;

  @Override
  public Integer call() throws Exception {
    Map<String, Object> settings = new LinkedHashMap<>(pipe.settings());
    settings.putAll(secret.settings());
    settings.putAll(tls.settings(System::getenv));
    Config config = common.load(settings);
    pipe.check(config);
    ToolRuntime.validate(config);
    ToolRuntime.validateTls(config, false);
    common.applyLogLevel("INFO");
    String scheme = config.getBoolean("backed-pipe.transport.tls.enabled") ? " over TLS" : "";
    return ToolRuntime.serveUntilStopped("connect", listen, config, spec.commandLine().getOut(),
        spec.commandLine().getErr(), system -> ConnectTunnel.start(system, listen.address(),
            server.address(), Optional.empty())
            .thenApply(t -> {
              ToolRuntime.closeStreamsOnShutdown(system, t::shutdown);
              return t;
            })
            .thenApply(t -> "forwarding " + HumanText.address(t.address()) + " to " + server
                + "'s target" + scheme + " (Ctrl-C stops)"));
  }
}
