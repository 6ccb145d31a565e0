#!/usr/bin/env bash
# What an idle tunnel stream costs on the link (tunnel-lib.sh): one stream is opened and echoes a
# byte, then nothing is written for SECONDS; the link's byte counters (Ethernet frames, both
# directions) are read before and after, and the cost is scaled to one hour. TOOL_ARGS sets the
# heartbeat, e.g. TOOL_ARGS="--heartbeat-interval 10s --heartbeat-timeout 30s".
#   sudo src/test/netem/idle-cost.sh
set -euo pipefail
cd "$(dirname "$0")/../../.."

SECONDS_IDLE=${SECONDS_IDLE:-60}
RATE=""
# shellcheck source=tunnel-lib.sh
. src/test/netem/tunnel-lib.sh
trap tunnel_cleanup EXIT
tunnel_link
tunnel_start

# one stream, open and idle: a byte goes there and back, then the client only waits
ip netns exec "$A" python3 -c '
import socket, sys, time
s = socket.create_connection(("127.0.0.1", 2222)); s.sendall(b"x"); s.recv(1)
print("stream open", flush=True); time.sleep(float(sys.argv[1]) + 10)' "$SECONDS_IDLE" &
for _ in $(seq 50); do grep -q 'connected\|resumed' "$work/connect.log" 2>/dev/null && break
  sleep 0.2; done
sleep 3 # the stream's setup traffic settles
before=$(tunnel_link_bytes)
sleep "$SECONDS_IDLE"
after=$(tunnel_link_bytes)
bytes=$((after - before))
echo "idle stream, heartbeat options '${TOOL_ARGS:-defaults}': $bytes bytes on the link in" \
  "${SECONDS_IDLE}s, $((bytes * 3600 / SECONDS_IDLE)) bytes per hour"
