#!/usr/bin/env python3
"""A TCP echo server for the slow-link runs: echoes every byte, half-closes after the client's EOF."""
import socket
import sys
import threading


def serve(conn):
    with conn:
        while True:
            data = conn.recv(65536)
            if not data:
                conn.shutdown(socket.SHUT_WR)
                return
            conn.sendall(data)


def main():
    host, port = sys.argv[1], int(sys.argv[2])
    server = socket.create_server((host, port), reuse_port=True)
    while True:
        conn, _ = server.accept()
        threading.Thread(target=serve, args=(conn,), daemon=True).start()


if __name__ == "__main__":
    main()
