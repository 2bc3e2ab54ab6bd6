#!/usr/bin/env bash
# CommuneWatch test helper: a collector host reachable from this machine over two paths, the
# dedicated line and a 4G link, so the agent's fallback can be tested on real interfaces.
#
#   twopath.sh up      PREFIX [NET]    create namespace ${PREFIX}c with both links (re-creates)
#   twopath.sh down    PREFIX [NET]    remove it, its veths and the routing rule
#   twopath.sh cut     PREFIX          the dedicated line drops everything (timeouts, like a cut fibre)
#   twopath.sh loss    PREFIX PERCENT  the dedicated line drops PERCENT % of the packets crossing it,
#                                      at random, in each direction (lossy, but still carrying traffic)
#   twopath.sh restore PREFIX          the dedicated line carries everything again (ends a cut or a loss)
#
# Layout after `up` (NET defaults to 3; networks with distinct PREFIX and NET coexist):
#   root ${PREFIX}d 198.18.NET.1/24      <->  ns ${PREFIX}c eth0 198.18.NET.2/24      (dedicated line)
#   root ${PREFIX}g 198.18.(NET+1).1/24  <->  ns ${PREFIX}c eth1 198.18.(NET+1).2/24  (4G)
# The collector listens on 198.18.NET.2. A socket bound to ${PREFIX}g (SO_BINDTODEVICE, as
# curl's `if!NAME` does) reaches 198.18.NET.2 through the 4G link: an `ip rule oif` sends it to a
# table of its own (1831 + NET), as on an office PC whose modem has its own default route.
#
# Exit codes: 0 ok, 1 failure, 2 usage error, 3 not root / missing tools.
set -Eeuo pipefail

die() { echo "twopath.sh: $*" >&2; exit 1; }
usage() { echo "usage: twopath.sh up|down PREFIX [NET] | cut|restore PREFIX | loss PREFIX PERCENT" >&2; exit 2; }
[ $# -ge 2 ] && [ $# -le 3 ] || usage
cmd=$1 P=$2 ARG=${3:-}
case "$P" in ''|*[!A-Za-z0-9]*) die "PREFIX must be [A-Za-z0-9]+" ;; esac
NET=3
case "$cmd" in
    up|down)
        NET=${ARG:-3}
        case "$NET" in *[!0-9]*) die "NET must be a number 3..250, not '$NET'" ;; esac
        [ "$NET" -ge 3 ] && [ "$NET" -le 250 ] || die "NET must be a number 3..250, not '$NET'" ;;
    loss)
        case "$ARG" in ''|*[!0-9]*) die "PERCENT must be a whole number 1..99, not '$ARG'" ;; esac
        [ "$ARG" -ge 1 ] && [ "$ARG" -le 99 ] || die "PERCENT must be a whole number 1..99, not '$ARG'" ;;
    *) [ -z "$ARG" ] || usage ;;
esac
D="198.18.$NET" F="198.18.$((NET + 1))"
[ ${#P} -le 12 ] || die "PREFIX '$P' too long"
[ "$(id -u)" -eq 0 ] || { echo "twopath.sh: must run as root" >&2; exit 3; }
for tool in ip nft ping; do command -v $tool >/dev/null 2>&1 || { echo "twopath.sh: '$tool' not found" >&2; exit 3; }; done

NS="${P}c" DED="${P}d" G4="${P}g" TABLE=$((1831 + NET))

do_down() {
    while ip rule del oif "$G4" table $TABLE 2>/dev/null; do :; done
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
    ip addr add "$D.1/24" dev "$DED"
    ip addr add "$F.1/24" dev "$G4"
    ip link set "$DED" up
    ip link set "$G4" up
    ip -n "$NS" addr add "$D.2/24" dev eth0
    ip -n "$NS" addr add "$F.2/24" dev eth1
    ip -n "$NS" link set eth0 up
    ip -n "$NS" link set eth1 up
    ip route add "$D.0/24" dev "$G4" src "$F.1" table $TABLE
    ip rule add oif "$G4" table $TABLE
    trap - ERR
    local deadline=$((SECONDS + 5))
    until ping -c1 -W1 -q "$D.2" >/dev/null 2>&1 && ping -c1 -W1 -q -I "$G4" "$D.2" >/dev/null 2>&1; do
        [ $SECONDS -lt $deadline ] || { do_down; die "$D.2 does not answer on both paths"; }
        sleep 0.2
    done
    echo "twopath.sh: up $NS ($D.2 over $DED and over $G4)"
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
    loss)
        # numgen's range is 0..99; both directions, as a noisy radio hop or a bad splice loses both ways.
        ip netns exec "$NS" nft delete table inet cwloss 2>/dev/null || true
        ip netns exec "$NS" nft -f - <<EOF
table inet cwloss {
    chain input { type filter hook input priority 0; policy accept; iifname "eth0" numgen random mod 100 < $ARG drop; }
    chain output { type filter hook output priority 0; policy accept; oifname "eth0" numgen random mod 100 < $ARG drop; }
}
EOF
        ;;
    restore)
        ip netns exec "$NS" nft delete table inet cwcut 2>/dev/null || true
        ip netns exec "$NS" nft delete table inet cwloss 2>/dev/null || true
        ;;
    *) usage ;;
esac
