# Shared by the scripts here (source it): two network namespaces joined by a veth pair, with an
# echo server and `serve` in B and `connect` in A. Needs root, iproute2 and python3; run from the
# project directory with the jar built (mvn -B -q package -DskipTests).
# Set before sourcing: RATE (tbf rate each way, "" for none), TOOL_ARGS (more serve/connect options),
# CLUSTER=2 (or more) to serve from that many cluster nodes in B behind a proxy there that sends
# each new link to a random node, so links lost on the slow link come back through any node.

JAR=${JAR:-target/backed-pipe.jar}   # the tool to run
A=bp-net-a; B=bp-net-b; ADDR_A=10.203.0.1; ADDR_B=10.203.0.2; DEV_A=bp-net-va; DEV_B=bp-net-vb
work=$(mktemp -d)

tunnel_cleanup() {
  jobs -p | xargs -r kill 2>/dev/null || true
  ip netns del "$A" 2>/dev/null || true
  ip netns del "$B" 2>/dev/null || true
  wait 2>/dev/null || true
}

# Makes the namespaces and the link, shaped to RATE each way when RATE is set.
tunnel_link() {
  tunnel_cleanup
  ip netns add "$A"; ip netns add "$B"
  ip link add "$DEV_A" type veth peer name "$DEV_B"
  ip link set "$DEV_A" netns "$A"; ip link set "$DEV_B" netns "$B"
  ip -n "$A" addr add "$ADDR_A/24" dev "$DEV_A"; ip -n "$B" addr add "$ADDR_B/24" dev "$DEV_B"
  for ns in "$A" "$B"; do ip -n "$ns" link set lo up; done
  ip -n "$A" link set "$DEV_A" up; ip -n "$B" link set "$DEV_B" up
  if [ -n "${RATE:-}" ]; then
    ip netns exec "$A" tc qdisc replace dev "$DEV_A" root tbf rate "$RATE" burst 4kb latency 300ms
    ip netns exec "$B" tc qdisc replace dev "$DEV_B" root tbf rate "$RATE" burst 4kb latency 300ms
  fi
}

# Loses the link without a reset (add) or brings it back (del): each side routes the other's
# address into a blackhole, so packets vanish and TCP only retransmits.
tunnel_lose() {
  ip -n "$A" route "$1" blackhole "$ADDR_B/32"; ip -n "$B" route "$1" blackhole "$ADDR_A/32"
}

# Starts the echo server, serve and connect (127.0.0.1:2222 in A), and waits for connect.
tunnel_start() {
  head -c 32 /dev/urandom | base64 > "$work/secret"
  ip netns exec "$B" python3 src/test/netem/echo_server.py 127.0.0.1 9000 &
  local server="$ADDR_B:7000"
  if [ "${CLUSTER:-1}" -gt 1 ]; then
    local targets=() node
    for node in $(seq 0 $((CLUSTER - 1))); do
      # shellcheck disable=SC2086
      ip netns exec "$B" java -jar "$JAR" serve --listen "127.0.0.1:$((7001 + node))" \
        --target 127.0.0.1:9000 --secret-file "$work/secret" --cluster-host 127.0.0.1 \
        --cluster-port $((25520 + node)) --seed 127.0.0.1:25520 ${TOOL_ARGS:-} \
        2> "$work/serve$node.log" &
      targets+=(--target "127.0.0.1:$((7001 + node))")
    done
    ip netns exec "$B" java -jar "$JAR" proxy --listen "$ADDR_B:7000" "${targets[@]}" \
      --fault-interval 0 2> "$work/proxy.log" &
  else
    # shellcheck disable=SC2086
    ip netns exec "$B" java -jar "$JAR" serve --listen "$ADDR_B:7000" --target 127.0.0.1:9000 \
      --secret-file "$work/secret" ${TOOL_ARGS:-} 2> "$work/serve.log" &
  fi
  # shellcheck disable=SC2086
  ip netns exec "$A" java -jar "$JAR" connect --server "$server" --listen 127.0.0.1:2222 \
    --secret-file "$work/secret" ${TOOL_ARGS:-} 2> "$work/connect.log" &
  for _ in $(seq 100); do
    ip netns exec "$A" bash -c 'exec 3<>/dev/tcp/127.0.0.1/2222' 2>/dev/null && return 0
    sleep 0.2 # waiting for another process to listen
  done
  echo "connect did not start; its log:" >&2; cat "$work/connect.log" >&2; return 1
}

# Bytes that crossed the link so far, both directions (Ethernet frames, as the veth counts them).
tunnel_link_bytes() {
  local tx rx
  tx=$(ip netns exec "$A" cat "/sys/class/net/$DEV_A/statistics/tx_bytes")
  rx=$(ip netns exec "$A" cat "/sys/class/net/$DEV_A/statistics/rx_bytes")
  echo $((tx + rx))
}
