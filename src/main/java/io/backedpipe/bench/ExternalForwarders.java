package io.backedpipe.bench;

import java.io.File;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.TimeUnit;
import java.util.function.UnaryOperator;
import java.util.stream.Stream;

/**
 * The forwarders the tunnel is compared with, when this machine has them: {@code ssh -L} through
 * a throwaway {@code sshd} on loopback (its own host and client keys in a temporary directory,
 * public-key login as the current user only), and {@code socat} forking a process per connection.
 * Each is a row of the tunnel case, measured by the same client in the same rounds; a tool that
 * is missing, or that does not come up, is left out and the report says why.
 */
final class ExternalForwarders implements AutoCloseable {
  private static final Duration START_LIMIT = Duration.ofSeconds(10);

  private final Map<String, InetSocketAddress> rows = new LinkedHashMap<>();
  private final List<String> skipped = new ArrayList<>();
  private final List<Process> processes = new ArrayList<>();
  /** Stops the children if the JVM is stopped before {@link #close}: they would outlive it. */
  private final Thread cleanup = new Thread(this::stopAll, "bench-external-forwarders");
  private Path keys;

  /**
   * Starts what this machine has, forwarding to {@code target}.
   *
   * @param target the echo server
   */
  ExternalForwarders(InetSocketAddress target) {
    this(target, UnaryOperator.identity(), true);
  }

  /**
   * Starts {@code ssh -L} with its connection to the daemon through {@code link}, and
   * {@code socat} if asked.
   *
   * @param target the echo server
   * @param link given the daemon's address, where {@code ssh} should connect to reach it: a proxy
   *     that plays a long link, say
   * @param socat whether to start {@code socat}, whose fork per connection no link changes
   */
  ExternalForwarders(InetSocketAddress target, UnaryOperator<InetSocketAddress> link,
      boolean socat) {
    Runtime.getRuntime().addShutdownHook(cleanup);
    try {
      startSsh(target, link);
    } catch (IOException | RuntimeException e) { // a link that could not be made, say
      skipped.add("ssh -L (" + e.getMessage() + sshdLog() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      skipped.add("ssh -L (interrupted)");
    }
    if (!socat) {
      return;
    }
    try {
      startSocat(target);
    } catch (IOException e) {
      skipped.add("socat (" + e.getMessage() + ")");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      skipped.add("socat (interrupted)");
    }
  }

  /** The first line the daemon logged, if it failed to start, for the reason. */
  private String sshdLog() {
    try {
      Path log = keys == null ? null : keys.resolve("sshd.log");
      return log != null && Files.exists(log) ? Files.readAllLines(log).stream().findFirst()
          .map(line -> ": sshd said \"" + line + "\"").orElse("") : "";
    } catch (IOException e) {
      return "";
    }
  }

  /**
   * The forwarders that came up, by row name.
   *
   * @return their local addresses
   */
  Map<String, InetSocketAddress> rows() {
    return rows;
  }

  /**
   * What was not measured, and why.
   *
   * @return one entry per tool, empty when all came up
   */
  List<String> skipped() {
    return skipped;
  }

  private void startSsh(InetSocketAddress target, UnaryOperator<InetSocketAddress> link)
      throws IOException, InterruptedException {
    Optional<Path> sshd = tool("sshd");
    Optional<Path> ssh = tool("ssh");
    Optional<Path> keygen = tool("ssh-keygen");
    if (sshd.isEmpty() || ssh.isEmpty() || keygen.isEmpty()) {
      throw new IOException("needs ssh, sshd and ssh-keygen on the PATH");
    }
    keys = Files.createTempDirectory("bench-sshd");
    for (String key : List.of("host", "client")) {
      run(List.of(keygen.get().toString(), "-q", "-t", "ed25519", "-N", "",
          "-f", keys.resolve(key).toString()));
    }
    Files.copy(keys.resolve("client.pub"), keys.resolve("authorized_keys"));
    int sshdPort = freePort();
    Files.writeString(keys.resolve("sshd_config"), String.join("\n",
        "ListenAddress 127.0.0.1:" + sshdPort,
        "HostKey " + keys.resolve("host"),
        "PidFile " + keys.resolve("sshd.pid"),
        "AuthorizedKeysFile " + keys.resolve("authorized_keys"),
        "PermitRootLogin prohibit-password",
        "PasswordAuthentication no",
        "KbdInteractiveAuthentication no",
        "UsePAM no",
        "StrictModes no",
        "AllowTcpForwarding yes",
        "LogLevel ERROR", ""));
    // -D: in the foreground, so that stopping this process stops the daemon
    Process daemon = start(List.of(sshd.get().toString(), "-D", "-f",
        keys.resolve("sshd_config").toString(), "-E", keys.resolve("sshd.log").toString()));
    awaitListening(daemon, new InetSocketAddress("127.0.0.1", sshdPort));
    InetSocketAddress daemonVia = link.apply(new InetSocketAddress("127.0.0.1", sshdPort));
    int port = freePort();
    Process forward = start(List.of(ssh.get().toString(), "-N",
        "-p", Integer.toString(daemonVia.getPort()),
        "-i", keys.resolve("client").toString(),
        "-o", "BatchMode=yes", "-o", "ExitOnForwardFailure=yes",
        "-o", "StrictHostKeyChecking=no",
        "-o", "UserKnownHostsFile=/dev/null", "-o", "LogLevel=ERROR",
        "-L", "127.0.0.1:" + port + ":" + target.getHostString() + ":" + target.getPort(),
        System.getProperty("user.name") + "@" + daemonVia.getHostString()));
    InetSocketAddress local = new InetSocketAddress("127.0.0.1", port);
    awaitListening(forward, local);
    rows.put("ssh -L (OpenSSH " + sshVersion(ssh.get()) + ", its default cipher, "
        + "ed25519 keys)", local);
  }

  private void startSocat(InetSocketAddress target) throws IOException, InterruptedException {
    Optional<Path> socat = tool("socat");
    if (socat.isEmpty()) {
      throw new IOException("not on the PATH");
    }
    int port = freePort();
    Process relay = start(List.of(socat.get().toString(),
        "TCP-LISTEN:" + port + ",bind=127.0.0.1,fork,reuseaddr,nodelay",
        "TCP:" + target.getHostString() + ":" + target.getPort() + ",nodelay"));
    InetSocketAddress local = new InetSocketAddress("127.0.0.1", port);
    awaitListening(relay, local);
    rows.put("socat (a process forked per connection)", local);
  }

  private static String sshVersion(Path ssh) {
    try {
      Process p = new ProcessBuilder(ssh.toString(), "-V").redirectErrorStream(true).start();
      String text = new String(p.getInputStream().readAllBytes()).trim();
      p.waitFor(5, TimeUnit.SECONDS);
      // "OpenSSH_9.2p1 Debian-2+deb12u3, OpenSSL 3.0.15 3 Sep 2024"
      return text.startsWith("OpenSSH_") ? text.substring(8).split("[ ,]")[0] : "?";
    } catch (IOException e) {
      return "?";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  private Process start(List<String> command) throws IOException {
    Process process = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    processes.add(process);
    return process;
  }

  private static void run(List<String> command) throws IOException, InterruptedException {
    Process p = new ProcessBuilder(command).redirectErrorStream(true)
        .redirectOutput(ProcessBuilder.Redirect.DISCARD).start();
    if (!p.waitFor(START_LIMIT.toSeconds(), TimeUnit.SECONDS) || p.exitValue() != 0) {
      p.destroyForcibly();
      throw new IOException(String.join(" ", command) + " failed");
    }
  }

  /**
   * Polls until {@code address} accepts, or gives up after {@link #START_LIMIT} or when
   * {@code process}, which is to listen there, has exited.
   */
  private static void awaitListening(Process process, InetSocketAddress address)
      throws IOException, InterruptedException {
    long deadline = System.nanoTime() + START_LIMIT.toNanos();
    while (true) {
      try (Socket probe = new Socket()) {
        probe.connect(address, 1000);
        return;
      } catch (IOException notYet) {
        if (!process.isAlive()) {
          throw new IOException("exited with status " + process.exitValue());
        }
        if (System.nanoTime() - deadline > 0) {
          throw new IOException("did not come up on " + address.getPort());
        }
        TimeUnit.MILLISECONDS.sleep(50); // a child process starting: nothing to wait on but time
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1,
        java.net.InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }

  /** A tool on the PATH, or in /usr/sbin where Debian puts sshd. */
  static Optional<Path> tool(String name) {
    List<String> dirs = new ArrayList<>(List.of(System.getenv().getOrDefault("PATH", "")
        .split(File.pathSeparator)));
    dirs.add("/usr/sbin");
    return dirs.stream().filter(dir -> !dir.isEmpty())
        .map(dir -> Path.of(dir, name)).filter(Files::isExecutable).findFirst();
  }

  @Override
  public void close() {
    stopAll();
    try {
      Runtime.getRuntime().removeShutdownHook(cleanup);
    } catch (IllegalStateException shuttingDown) {
      // the hook runs, or ran, anyway
    }
  }

  /** Stops the children and theirs (forcibly after 5 s), and removes the keys. */
  private void stopAll() {
    for (Process p : processes) {
      p.descendants().forEach(ProcessHandle::destroy);
      p.destroy();
    }
    for (Process p : processes) {
      try {
        if (!p.waitFor(5, TimeUnit.SECONDS)) {
          p.descendants().forEach(ProcessHandle::destroyForcibly);
          p.destroyForcibly();
        }
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        p.destroyForcibly();
      }
    }
    if (keys != null) {
      try (Stream<Path> files = Files.walk(keys)) {
        files.sorted(Comparator.reverseOrder()).forEach(f -> f.toFile().delete());
      } catch (IOException e) {
        // a temporary directory left behind is all
      }
    }
  }
}
