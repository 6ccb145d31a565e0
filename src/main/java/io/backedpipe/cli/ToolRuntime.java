package io.backedpipe.cli;

import com.typesafe.config.Config;
import io.backedpipe.PipeSettings;
import io.backedpipe.server.ServerSettings;
import io.backedpipe.transport.FailureText;
import io.backedpipe.transport.TlsContext;
import io.backedpipe.transport.TlsSettings;
import io.backedpipe.transport.TransportSettings;
import java.io.PrintWriter;
import java.time.Duration;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Starts the actor system of a long-running command and keeps it until the process stops. */
final class ToolRuntime {
  /**
   * How long {@code serve} and {@code connect}, when asked to stop (SIGTERM, Ctrl-C), give each
   * open stream for the other end to acknowledge the bytes it was sent, before they close it with
   * a {@code CLOSE}. Within {@link ToolConfig#SHUTDOWN_PHASE_TIMEOUT}, with the close's own time.
   */
  static final Duration SHUTDOWN_DRAIN = Duration.ofSeconds(3);

  private ToolRuntime() {}

  /**
   * Makes a stop of the process (SIGTERM, Ctrl-C: the JVM's shutdown runs Pekko's coordinated
   * shutdown) close the tunnel's streams gracefully first, in the phase that ends the service's
   * requests, so that the other end closes its connections at once instead of waiting out its
   * grace period.
   *
   * @param system the tunnel's actor system
   * @param shutdown the tunnel's graceful shutdown, given the drain time
   */
  static void closeStreamsOnShutdown(ActorSystem<?> system,
      Function<Duration, CompletionStage<Integer>> shutdown) {
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseServiceRequestsDone(),
        "close-tunnel-streams",
        () -> shutdown.apply(SHUTDOWN_DRAIN).handle((closed, error) -> Done.getInstance()));
  }

  /**
   * Checks the settings the tool will use, so a bad value is a usage error before anything binds.
   *
   * @param config the configuration
   * @throws IllegalArgumentException naming the bad setting
   */
  static void validate(Config config) {
    Config section = config.getConfig("backed-pipe");
    PipeSettings.fromConfig(section);
    TransportSettings.fromConfig(section);
    ServerSettings.fromConfig(section);
  }

  /**
   * Checks the TLS settings and reads the stores when TLS is on, so a missing or unreadable store
   * or a wrong password is a usage error before anything binds.
   *
   * @param config the configuration
   * @param server whether this end serves (and so must have a key)
   * @throws IllegalArgumentException naming the store and what is wrong with it
   */
  static void validateTls(Config config, boolean server) {
    TlsSettings tls = TlsSettings.fromConfig(config.getConfig("backed-pipe"));
    if (tls.enabled()) {
      TlsContext context = TlsContext.load(tls);
      if (server && !context.hasKey()) {
        throw new IllegalArgumentException(
            "serve over TLS needs --tls-key-store (backed-pipe.transport.tls.key-store)");
      }
    }
  }

  /**
   * Creates the actor system.
   *
   * @param name the system's name
   * @param config the configuration
   * @return the system
   */
  static ActorSystem<Void> system(String name, Config config) {
    return ActorSystem.create(Behaviors.empty(), name, config);
  }

  /** A job that runs in an actor system and passes or fails. */
  @FunctionalInterface
  interface Job {
    /**
     * Runs.
     *
     * @param system the actor system
     * @return whether it passed
     * @throws Exception if it could not run
     */
    boolean run(ActorSystem<?> system) throws Exception;
  }

  /**
   * Runs a job in its own actor system and stops the system after it.
   *
   * @param name the system's name
   * @param config the configuration
   * @param job what to run
   * @return the exit code: 0 if it passed, 1 otherwise
   * @throws Exception if it could not run
   */
  static int runOnce(String name, Config config, Job job) throws Exception {
    ActorSystem<Void> system = system(name, config);
    try {
      return job.run(system) ? 0 : 1;
    } finally {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(30, TimeUnit.SECONDS);
    }
  }

  /**
   * Starts something that serves until the process is stopped (Ctrl-C runs Pekko's coordinated
   * shutdown), prints what it listens on, and waits.
   *
   * @param command the command's name, for its error line
   * @param listen where it listens, for its error line
   * @param config the configuration
   * @param out where the banner goes
   * @param err where errors go
   * @param start binds and answers the banner line
   * @return the exit code: 0 after a normal stop, 1 if it could not start
   * @throws InterruptedException if interrupted while waiting
   */
  static int serveUntilStopped(String command, HostPort listen, Config config, PrintWriter out,
      PrintWriter err, Function<ActorSystem<?>, CompletionStage<String>> start)
      throws InterruptedException {
    return serveUntilStopped(command, "backed-pipe", listen, config, out, err, start);
  }

  /**
   * As {@link #serveUntilStopped(String, HostPort, Config, PrintWriter, PrintWriter, Function)},
   * with an actor system of the given name (a cluster node's must match its seeds').
   *
   * @param command the command's name, for its error line
   * @param systemName the actor system's name
   * @param listen where it listens, for its error line
   * @param config the configuration
   * @param out where the banner goes
   * @param err where errors go
   * @param start binds and answers the banner
   * @return the exit code: 0 after a normal stop, 1 if it could not start
   * @throws InterruptedException if interrupted while waiting
   */
  static int serveUntilStopped(String command, String systemName, HostPort listen, Config config,
      PrintWriter out, PrintWriter err, Function<ActorSystem<?>, CompletionStage<String>> start)
      throws InterruptedException {
    ActorSystem<Void> system = system(systemName, config);
    try {
      out.println(start.apply(system).toCompletableFuture().get(30, TimeUnit.SECONDS));
      out.flush();
    } catch (ExecutionException | java.util.concurrent.TimeoutException e) {
      Throwable cause = e instanceof ExecutionException ? e.getCause() : e;
      err.println(couldNotStart(command, listen, cause));
      err.flush();
      system.terminate();
      return 1;
    }
    try {
      system.getWhenTerminated().toCompletableFuture().get();
    } catch (ExecutionException e) {
      return 1;
    }
    return 0;
  }

  /**
   * Why a command could not start, in one line: a port that cannot be bound is named with the
   * reason ({@code serve: cannot listen on 127.0.0.1:7000: address already in use}).
   *
   * @param command the command's name
   * @param listen where it was to listen
   * @param cause the failure
   * @return the line
   */
  static String couldNotStart(String command, HostPort listen, Throwable cause) {
    for (Throwable t = cause; t != null; t = t.getCause() == t ? null : t.getCause()) {
      if (t instanceof java.net.BindException || t instanceof java.net.SocketException
          && String.valueOf(t.getMessage()).contains("bind")) {
        return command + ": cannot listen on " + listen + ": " + FailureText.essence(t);
      }
    }
    return command + ": could not start: " + FailureText.essence(cause);
  }

  /**
   * The ends of a demo or soak authenticate like a real tunnel: unless a secret was configured, a
   * random one goes into a file only this user can read, deleted when the process ends.
   */
  static Config withRandomSecret(Config config) throws java.io.IOException {
    if (!config.getString("backed-pipe.transport.auth.secret-file").isEmpty()
        || !config.getString("backed-pipe.transport.auth.secret-env").isEmpty()) {
      return config;
    }
    java.nio.file.Path file = java.nio.file.Files.createTempFile("backed-pipe-demo-", ".secret",
        java.nio.file.attribute.PosixFilePermissions.asFileAttribute(
            java.nio.file.attribute.PosixFilePermissions.fromString("rw-------")));
    file.toFile().deleteOnExit();
    byte[] secret = new byte[32];
    new java.security.SecureRandom().nextBytes(secret);
    java.nio.file.Files.writeString(file, java.util.HexFormat.of().formatHex(secret));
    return com.typesafe.config.ConfigFactory.parseMap(java.util.Map.of(
            "backed-pipe.transport.auth.secret-file", file.toString()))
        .withFallback(config);
  }

}
