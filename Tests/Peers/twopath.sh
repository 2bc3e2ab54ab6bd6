#!/usr/bin/env bash
# CommuneWatch test helper: a collector host reachable from this machine over two paths, the
# dedicated line and a 4G link, so the agent's fallback can be tested on real interfaces.
#
#   twopath.sh up      PREFIX        create namespace ${PREFIX}c with both links (re-creates)
#   twopath.sh down    PREFIX        remove it, its veths and the routing rule
#   twopath.sh cut     PREFIX        the dedicated line drops everything (timeouts, like a cut fibre)
#   twopath.sh restore PREFIX        the dedicated line carries traffic again
#
# Layout after `up`:
#   root ${PREFIX}d 198.18.3.1/24  <->  ns ${PREFIX}c eth0 198.18.3.2/24   (dedicated line)
#   root ${PREFIX}g 198.18.4.1/24  <->  ns ${PREFIX}c eth1 198.18.4.2/24   (4G)
# The collector listens on 198.18.3.2. A socket bound to ${PREFIX}g (SO_BINDTODEVICE, as
# curl's `if!NAME` does) reaches 198.18.3.2 through the 4G link: an `ip rule oif` sends it to a
# table of its own, as on an office PC whose modem has its own default route.
#
# Exit codes: 0 ok, 1 failure, 2 usage error, 3 not root / missing tools.
set -Eeuo pipefail

die() { echo "twopath.sh: $*" >&2; exit 1; }
[ $# -eq 2 ] || { echo "usage: twopath.sh up|down|cut|restore PREFIX" >&2; exit 2; }
cmd=$1 P=$2
case "$P" in ''|*[!A-Za-z0-9]*) die "PREFIX must be [A-Za-z0-9]+" ;; esac
[ ${#P} -le 12 ] || die "PREFIX '$P' too long"
[ "$(id -u)" -eq 0 ] || { echo "twopath.sh: must run as root" >&2; exit 3; }
for tool in ip nft ping; do command -v $tool >/dev/null 2>&1 || { echo "twopath.sh: '$tool' not found" >&2; exit 3; }; done

NS="${P}c" DED="${P}d" G4="${P}g" TABLE=1834

do_down() {
    ip rule del oif "$G4" table $TABLE 2>/dev/null || true
    ip route flush table $TABLE 2>/dev/null || true
    ip link del "$DED" 2>/dev/null || true
    ip link del "$G4" 2>/dev/null || true
    ip netns del "$NS" 2>/dev/null || true
}

do_up() {
    do_down
    trap 'echo "twopath.sh: up failed, tearing down" >&2; do_down' ERR
    ip netns add "$NS"
    ip -n "$NS" link set lo up
    ip link add "$DED" type veth peer name eth0 netns "$NS"
    ip link add "$G4" type veth peer name eth1 netns "$NS"
    ip addr add 198.18.3.1/24 dev "$DED"
    ip addr add 198.18.4.1/24 dev "$G4"
    ip link set "$DED" up
    ip link set "$G4" up
    ip -n "$NS" addr add 198.18.3.2/24 dev eth0
    ip -n "$NS" addr add 198.18.4.2/24 dev eth1
    ip -n "$NS" link set eth0 up
    ip -n "$NS" link set eth1 up
    ip route add 198.18.3.0/24 dev "$G4" src 198.18.4.1 table $TABLE
    ip rule add oif "$G4" table $TABLE
    trap - ERR
    local deadline=$((SECONDS + 5))
    until ping -c1 -W1 -q 198.18.3.2 >/dev/null 2>&1 && ping -c1 -W1 -q -I "$G4" 198.18.3.2 >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || { do_down; die "198.18.3.2 does not answer on both paths"; }
        sleep 0.2
    done
    echo "twopath.sh: up $NS (198.18.3.2 over $DED and over $G4)"
}

case "$cmd" in
    up) do_up ;;
    down) do_down ;;
    cut)
        ip netns exec "$NS" nft -f - <<EOF
table inet cwcut {
    chain input { type filter hook input priority 0; policy accept; iifname "eth0" drop; }
}
EOF
        ;;
    restore) ip netns exec "$NS" nft delete table inet cwcut 2>/dev/null || true ;;
    *) echo "usage: twopath.sh up|down|cut|restore PREFIX" >&2; exit 2 ;;
esac
