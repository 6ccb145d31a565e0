package io.backedpipe.bench;

import java.io.IOException;
import java.io.InputStream;
import java.io.OutputStream;
import java.io.UncheckedIOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.net.Socket;
import java.util.concurrent.CompletableFuture;

/**
 * Plain {@code java.net.Socket} one-way on loopback: one thread writes fixed-size writes from one
 * array, another reads into one array until the end. The limit of the JVM on this machine, with no
 * framing, no actors and no copies beyond the kernel's.
 */
final class SocketOneWay {
  private SocketOneWay() {}

  /**
   * Moves {@code totalBytes} in writes of {@code writeBytes}.
   *
   * @param writeBytes the size of each write
   * @param totalBytes the bytes to move, a multiple of {@code writeBytes}
   * @return seconds from the first write to the reader seeing the end
   * @throws Exception if the transfer fails
   */
  static double run(int writeBytes, long totalBytes) throws Exception {
    InetAddress loopback = InetAddress.getLoopbackAddress();
    try (ServerSocket server = new ServerSocket(0, 1, loopback)) {
      CompletableFuture<Long> received = new CompletableFuture<>();
      Thread reader = new Thread(() -> {
        try (Socket socket = server.accept(); InputStream in = socket.getInputStream()) {
          byte[] buffer = new byte[Math.max(writeBytes, 64 * 1024)];
          long total = 0;
          for (int n; (n = in.read(buffer)) >= 0; ) {
            total += n;
          }
          received.complete(total);
        } catch (IOException e) {
          received.completeExceptionally(e);
        }
      }, "socket-reader");
      reader.start();
      byte[] chunk = new byte[writeBytes];
      long writes = totalBytes / writeBytes;
      try (Socket socket = new Socket(loopback, server.getLocalPort())) {
        socket.setTcpNoDelay(true); // as the pipe's connections
        OutputStream out = socket.getOutputStream();
        long start = System.nanoTime();
        for (long i = 0; i < writes; i++) {
          out.write(chunk);
        }
        socket.shutdownOutput();
        long got = received.get();
        double seconds = (System.nanoTime() - start) / 1e9;
        if (got != writes * writeBytes) {
          throw new UncheckedIOException(new IOException(
              "socket received=" + got + " expected=" + writes * writeBytes));
        }
        return seconds;
      }
    }
  }
}
