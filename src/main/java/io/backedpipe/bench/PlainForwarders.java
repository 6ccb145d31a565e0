package io.backedpipe.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.net.InetAddress;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The plain-socket parts of the tunnel benchmark: an echo target and a forwarder, both thread per
 * connection on blocking sockets with {@code TCP_NODELAY}, so they add nothing but the kernel's
 * work and a thread wake-up per hop (what {@code ssh -L} or {@code socat} cost without crypto).
 *
 * <p>Thread-safe: each connection has its own threads and sockets.
 */
final class PlainForwarders {
  private PlainForwarders() {}

  /** A listening socket on loopback whose every accepted connection runs {@code handler}. */
  abstract static class Listener implements AutoCloseable {
    private final ServerSocket server;

    Listener(String name) throws IOException {
      server = new ServerSocket(0, 1024, InetAddress.getLoopbackAddress());
      Thread accept = new Thread(() -> {
        while (!server.isClosed()) {
          try {
            Socket socket = server.accept();
            socket.setTcpNoDelay(true);
            Thread t = new Thread(() -> handle(socket), name + "-connection");
            t.setDaemon(true);
            t.start();
          } catch (IOException closed) {
            return;
          }
        }
      }, name + "-accept");
      accept.setDaemon(true);
      accept.start();
    }

    abstract void handle(Socket socket);

    InetSocketAddress address() {
      return new InetSocketAddress(server.getInetAddress(), server.getLocalPort());
    }

    @Override
    public void close() throws IOException {
      server.close();
    }
  }

  /** Echoes every byte back until EOF, then closes. */
  static final class Echo extends Listener {
    Echo() throws IOException {
      super("bench-echo");
    }

    @Override
    void handle(Socket socket) {
      try (socket) {
        copy(socket.getInputStream(), socket.getOutputStream());
      } catch (IOException ignored) {
        // the client went away
      }
    }
  }

  /** Forwards every accepted connection to {@code target}, half-closes carried both ways. */
  static final class Forwarder extends Listener {
    private final InetSocketAddress target;

    Forwarder(InetSocketAddress target) throws IOException {
      super("bench-forwarder");
      this.target = target;
    }

    @Override
    void handle(Socket local) {
      try {
        Socket remote = new Socket();
        remote.setTcpNoDelay(true);
        remote.connect(target);
        AtomicInteger open = new AtomicInteger(2); // directions still flowing
        Thread back = new Thread(() -> pump(remote, local, open), "bench-forwarder-back");
        back.setDaemon(true);
        back.start();
        pump(local, remote, open);
      } catch (IOException e) {
        closeQuietly(local);
      }
    }

    private static void pump(Socket from, Socket to, AtomicInteger open) {
      boolean failed = false;
      try {
        copy(from.getInputStream(), to.getOutputStream());
        to.shutdownOutput();
      } catch (IOException e) {
        failed = true;
      }
      if (open.decrementAndGet() == 0 || failed) {
        closeQuietly(from);
        closeQuietly(to);
      }
    }
  }

  private static void copy(InputStream in, OutputStream out) throws IOException {
    byte[] buffer = new byte[64 * 1024];
    int n;
    while ((n = in.read(buffer)) >= 0) {
      out.write(buffer, 0, n);
    }
  }

  private static void closeQuietly(Socket socket) {
    try {
      socket.close();
    } catch (IOException ignored) {
      // closing anyway
    }
  }
}
