#!/usr/bin/env bash
# Keystrokes beside a bulk transfer over a real slow link (tunnel-lib.sh): one stream echoes BULK
# bytes while another sends a byte a second and times its echo, as an SSH session beside a
# download through the same connect would. Needs root.
#   sudo src/test/netem/interactive.sh                  # 512 kbit/s each way, 2 MiB of bulk
set -euo pipefail
cd "$(dirname "$0")/../../.."

RATE=${RATE:-512kbit}
BULK=${BULK:-2097152}
PROBES=${PROBES:-15}
# shellcheck source=tunnel-lib.sh
. src/test/netem/tunnel-lib.sh
trap tunnel_cleanup EXIT
tunnel_link
tunnel_start
echo "link: $RATE each way; $BULK bytes of bulk echo beside $PROBES keystrokes"
ip netns exec "$A" python3 src/test/netem/interactive_client.py 127.0.0.1 2222 "$BULK" "$PROBES"
