#!/usr/bin/env python3
"""Streams seeded random bytes through a tunnel to an echo server and checks every byte that comes
back. Usage: echo_client.py HOST PORT STREAMS BYTES_PER_STREAM TIME_LIMIT_S
Prints one line per stream and a verdict; exits 0 only if every stream echoed byte-identical."""
import random
import socket
import sys
import threading
import time


def run(host, port, index, size, results, deadline):
    data = random.Random(index).randbytes(size)
    started = time.monotonic()
    try:
        sock = socket.create_connection((host, port))
        sock.settimeout(max(1.0, deadline - time.monotonic()))

        def send():
            view = memoryview(data)
            for offset in range(0, size, 16384):
                sock.sendall(view[offset:offset + 16384])

        sender = threading.Thread(target=send, daemon=True)
        sender.start()
        received = bytearray()
        while len(received) < size:
            chunk = sock.recv(65536)
            if not chunk:
                break
            received.extend(chunk)
        sender.join(timeout=1)
        sock.close()
        ok = bytes(received) == data
        results[index] = (ok, len(received), time.monotonic() - started)
    except Exception as e:  # reported as a failed stream
        results[index] = (False, 0, time.monotonic() - started, repr(e))


def main():
    host, port, streams, size, limit = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), \
        int(sys.argv[4]), float(sys.argv[5])
    deadline = time.monotonic() + limit
    results = {}
    started = time.monotonic()
    threads = [threading.Thread(target=run, args=(host, port, i, size, results, deadline))
               for i in range(streams)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    elapsed = time.monotonic() - started
    ok = True
    for i in range(streams):
        r = results.get(i, (False, 0, 0.0))
        ok = ok and r[0]
        print(f"stream {i}: {'identical' if r[0] else 'FAILED'} {r[1]} bytes in {r[2]:.1f} s"
              + (f" {r[3]}" if len(r) > 3 else ""))
    print(f"{'PASS' if ok else 'FAIL'}: {streams} x {size} bytes echoed in {elapsed:.1f} s")
    sys.exit(0 if ok else 1)


if __name__ == "__main__":
    main()
