#!/usr/bin/env bash
# A tunnel over a real slow, lossy link: two network namespaces joined by a veth pair whose both
# ends the kernel shapes (tbf: RATE each way); during each outage both namespaces route the other's
# address into a blackhole, so packets vanish and nothing is reset (a Wi-Fi or mobile link lost). serve and an echo server run in one namespace,
# connect and a checking client in the other. Needs root, iproute2 (ip, tc), python3 and the
# built jar (mvn -B -q package -DskipTests). Run from the project directory:
#   sudo src/test/netem/slow-link.sh                         # 512 kbit/s, 6 s outages every 25 s
#   RATE=128kbit BYTES=65536 OUTAGE=0 src/test/netem/slow-link.sh
# Prints the client's verdict; exits 0 only if every stream echoed byte-identical.
set -euo pipefail
cd "$(dirname "$0")/../../.."

RATE=${RATE:-512kbit}          # each way
OUTAGE=${OUTAGE:-6}            # seconds of total loss, 0 for none
EVERY=${EVERY:-25}             # seconds from one outage's start to the next
STREAMS=${STREAMS:-2}
BYTES=${BYTES:-1048576}        # per stream, each way
LIMIT=${LIMIT:-300}            # the client gives up after this many seconds
TOOL_ARGS=${TOOL_ARGS:-}       # more options for serve and connect
JAR=target/backed-pipe.jar
A=bp-slow-a; B=bp-slow-b; ADDR_A=10.203.0.1; ADDR_B=10.203.0.2
work=$(mktemp -d)

cleanup() {
  jobs -p | xargs -r kill 2>/dev/null || true
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  wait 2>/dev/null || true
}
trap cleanup EXIT
cleanup

ip netns add "$A"; ip netns add "$B"
ip link add bp-slow-va type veth peer name bp-slow-vb
ip link set bp-slow-va netns "$A"; ip link set bp-slow-vb netns "$B"
ip -n "$A" addr add "$ADDR_A/24" dev bp-slow-va; ip -n "$B" addr add "$ADDR_B/24" dev bp-slow-vb
for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
ip -n "$A" link set bp-slow-va up; ip -n "$B" link set bp-slow-vb up
ip netns exec "$A" tc qdisc replace dev bp-slow-va root tbf rate "$RATE" burst 4kb latency 300ms
ip netns exec "$B" tc qdisc replace dev bp-slow-vb root tbf rate "$RATE" burst 4kb latency 300ms
lose() { ip -n "$A" route "$1" blackhole "$ADDR_B/32"; ip -n "$B" route "$1" blackhole "$ADDR_A/32"; }

head -c 32 /dev/urandom | base64 > "$work/secret"
ip netns exec "$B" python3 src/test/netem/echo_server.py 127.0.0.1 9000 &
# shellcheck disable=SC2086
ip netns exec "$B" java -jar "$JAR" serve --listen "$ADDR_B:7000" --target 127.0.0.1:9000 \
  --secret-file "$work/secret" $TOOL_ARGS 2> "$work/serve.log" &
# shellcheck disable=SC2086
ip netns exec "$A" java -jar "$JAR" connect --server "$ADDR_B:7000" --listen 127.0.0.1:2222 \
  --secret-file "$work/secret" $TOOL_ARGS 2> "$work/connect.log" &
for _ in $(seq 100); do
  ip netns exec "$A" bash -c 'exec 3<>/dev/tcp/127.0.0.1/2222' 2>/dev/null && break
  sleep 0.2 # waiting for another process to listen; nothing in the pipe sleeps
done

if [ "$OUTAGE" != 0 ]; then
  (
    while true; do
      sleep $((EVERY - OUTAGE))
      echo "$(date +%T) outage ${OUTAGE}s" >> "$work/outages"
      lose add
      sleep "$OUTAGE"
      lose del
    done
  ) &
fi

echo "link: $RATE each way, outage ${OUTAGE}s every ${EVERY}s;" \
  "$STREAMS streams x $BYTES bytes echoed"
status=0
ip netns exec "$A" python3 src/test/netem/echo_client.py 127.0.0.1 2222 "$STREAMS" "$BYTES" \
  "$LIMIT" || status=$?
echo "outages: $(wc -l < "$work/outages" 2>/dev/null || echo 0)"
echo "connect log: $(grep -c 'resumed' "$work/connect.log" || true) resumes," \
  "$(grep -c 'lost' "$work/connect.log" || true) link losses"
grep -E 'resumed|lost|WARN|ERROR' "$work/connect.log" | tail -n 8 || true
exit "$status"
