#!/usr/bin/env bash
# Installs the CommuneWatch agent on a Debian/Ubuntu PC, as root:
#   sudo agent/install.sh [--binary PATH] [--collector URL --token ONE-TIME-TOKEN]
# - copies the agent to /usr/local/bin (building it first when run from a source tree without --binary),
# - creates the commune-agent user, /etc/commune-agent/agent.toml (kept if it exists) and the systemd unit,
# - with --collector and --token, enrolls this PC with the provincial collector,
# - starts the service, then runs `commune-agent check` so the focal point sees the result at once.
set -euo pipefail
HERE="$(cd "$(dirname "$0")" && pwd)"
BINARY="" COLLECTOR="" TOKEN=""
while [ $# -gt 0 ]; do
    case "$1" in
        --binary) BINARY="$2"; shift 2 ;;
        --collector) COLLECTOR="$2"; shift 2 ;;
        --token) TOKEN="$2"; shift 2 ;;
        *) echo "install.sh: unknown option $1" >&2; exit 2 ;;
    esac
done
[ "$(id -u)" -eq 0 ] || { echo "install.sh: run as root (sudo agent/install.sh)" >&2; exit 1; }

export DEBIAN_FRONTEND=noninteractive
missing=()
for p in libssl3 libnghttp2-14 zlib1g libsnmp40 libsqlite3-0; do
    dpkg-query -W -f='${db:Status-Status}' "$p" 2>/dev/null | grep -q installed || missing+=("$p")
done
if [ ${#missing[@]} -gt 0 ]; then
    apt-get update -qq </dev/null && apt-get install -y -qq "${missing[@]}" </dev/null
fi

if [ -z "$BINARY" ]; then
    (cd "$HERE/.." && "$HERE/../scripts/setup-deps" && "$HERE/../scripts/build-agent")
    BINARY="$HERE/../.build/release/commune-agent"
fi
install -m 0755 "$BINARY" /usr/local/bin/commune-agent

id commune-agent >/dev/null 2>&1 || useradd --system --home-dir /var/lib/commune-agent --shell /usr/sbin/nologin commune-agent
install -d -m 0700 -o commune-agent -g commune-agent /var/lib/commune-agent
install -d -m 0755 /etc/commune-agent
if [ ! -e /etc/commune-agent/agent.toml ]; then
    install -m 0644 "$HERE/agent.example.toml" /etc/commune-agent/agent.toml
    echo "install.sh: wrote /etc/commune-agent/agent.toml from the example: edit the gateway, site and probes"
fi

if [ -n "$COLLECTOR" ] && [ -n "$TOKEN" ]; then
    runuser -u commune-agent -- /usr/local/bin/commune-agent enroll --collector "$COLLECTOR" --token "$TOKEN" \
        --credentials /var/lib/commune-agent/credentials.json
fi

if [ -d /run/systemd/system ]; then
    install -m 0644 "$HERE/commune-agent.service" /etc/systemd/system/commune-agent.service
    systemctl daemon-reload
    systemctl enable --now commune-agent.service
    echo "install.sh: commune-agent is running (journalctl -u commune-agent)"
else
    echo "install.sh: no systemd here: start it with /usr/local/bin/commune-agent run --config /etc/commune-agent/agent.toml"
fi
/usr/local/bin/commune-agent check --config /etc/commune-agent/agent.toml || true
