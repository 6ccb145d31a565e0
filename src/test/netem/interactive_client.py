#!/usr/bin/env python3
"""An interactive stream beside a bulk one, through the tunnel: how long a keystroke's echo takes.

Usage: interactive_client.py HOST PORT BULK_BYTES PROBES
One connection streams BULK_BYTES to the echo target and reads them back; once it is under way a
second connection sends one byte a second, PROBES times, and times each echo. Prints each probe's
round trip, then a summary line; exits 1 if a probe or the bulk echo came back wrong.
"""
import socket
import sys
import threading
import time

host, port, bulk_bytes, probes = sys.argv[1], int(sys.argv[2]), int(sys.argv[3]), int(sys.argv[4])
failed = []


def bulk():
    s = socket.create_connection((host, port))
    chunk = bytes(range(256)) * 256  # 64 KiB

    def writer():
        sent = 0
        while sent < bulk_bytes:
            n = min(len(chunk), bulk_bytes - sent)
            s.sendall(chunk[:n])
            sent += n

    threading.Thread(target=writer, daemon=True).start()
    got = 0
    while got < bulk_bytes:
        b = s.recv(65536)
        if not b:
            failed.append("bulk ended early")
            return
        got += len(b)
    bulk_done.append(time.time())


bulk_done = []
start = time.time()
threading.Thread(target=bulk, daemon=True).start()
time.sleep(3)  # the bulk stream fills what it can
p = socket.create_connection((host, port))
p.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
times = []
for i in range(probes):
    t0 = time.time()
    p.sendall(b"k")
    if p.recv(1) != b"k":
        failed.append("probe %d came back wrong" % i)
        break
    times.append((time.time() - t0) * 1000)
    print("probe %d: %.0f ms%s" % (i, times[-1], "" if not bulk_done else " (bulk done)"),
          flush=True)
    time.sleep(max(0.0, 1 - (time.time() - t0)))
times.sort()
print("keystroke echo with a bulk stream beside it: p50 %.0f ms, max %.0f ms over %d probes;"
      " bulk %s" % (times[len(times) // 2] if times else -1, times[-1] if times else -1,
                    len(times), "done in %.1f s" % (bulk_done[0] - start) if bulk_done
                    else "still running"))
sys.exit(1 if failed else 0)
