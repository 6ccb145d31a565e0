#!/usr/bin/env bash
# A tunnel over a real slow, lossy link (tunnel-lib.sh): the kernel shapes both ends of the link to
# RATE each way (tbf), and every EVERY seconds the link is lost without a reset for OUTAGE seconds.
# A checking client streams STREAMS x BYTES through connect -> serve -> echo and back.
#   sudo src/test/netem/slow-link.sh                         # 512 kbit/s, 6 s outages every 25 s
#   RATE=128kbit STREAMS=1 BYTES=65536 OUTAGE=0 src/test/netem/slow-link.sh
#   CLUSTER=2 src/test/netem/slow-link.sh                    # served by a cluster of 2 nodes
# Prints the client's verdict; exits 0 only if every stream echoed byte-identical.
set -euo pipefail
cd "$(dirname "$0")/../../.."

RATE=${RATE:-512kbit}          # each way
OUTAGE=${OUTAGE:-6}            # seconds of total loss, 0 for none
EVERY=${EVERY:-25}             # seconds from one outage's start to the next
STREAMS=${STREAMS:-2}
BYTES=${BYTES:-1048576}        # per stream, each way
LIMIT=${LIMIT:-300}            # the client gives up after this many seconds
# shellcheck source=tunnel-lib.sh
. src/test/netem/tunnel-lib.sh
trap tunnel_cleanup EXIT
tunnel_link
tunnel_start

if [ "$OUTAGE" != 0 ]; then
  (
    while true; do
      sleep $((EVERY - OUTAGE))
      echo "$(date +%T) outage ${OUTAGE}s" >> "$work/outages"
      tunnel_lose add
      sleep "$OUTAGE"
      tunnel_lose del
    done
  ) &
fi

echo "link: $RATE each way, outage ${OUTAGE}s every ${EVERY}s;" \
  "$STREAMS streams x $BYTES bytes echoed"
status=0
ip netns exec "$A" python3 src/test/netem/echo_client.py 127.0.0.1 2222 "$STREAMS" "$BYTES" \
  "$LIMIT" || status=$?
echo "outages: $(cat "$work/outages" 2>/dev/null | wc -l)"
echo "connect log: $(grep -c 'resumed' "$work/connect.log" || true) resumes," \
  "$(grep -c 'link lost' "$work/connect.log" || true) link losses"
exit "$status"
