#!/usr/bin/env bash
# CommuneWatch test helper: two network namespaces joined to the root namespace.
#
#   netns.sh up    PREFIX                 create ${PREFIX}a and ${PREFIX}b (re-creates if present)
#   netns.sh down  PREFIX                 remove both namespaces and veths (ignores what is gone)
#   netns.sh drop  PREFIX SIDE PERCENT    in ${PREFIX}SIDE (SIDE = a|b) drop PERCENT % of incoming
#                                         ICMP / ICMPv6 echo requests (nft table inet cwdrop)
#   netns.sh clear PREFIX SIDE            remove that nft table
#
# Layout after `up`:
#   root ${PREFIX}va 198.18.1.1/24 2001:db8:1::1/64  <->  ns ${PREFIX}a eth0 198.18.1.2/24 2001:db8:1::2/64
#   root ${PREFIX}vb 198.18.2.1/24 2001:db8:2::1/64  <->  ns ${PREFIX}b eth0 198.18.2.2/24 2001:db8:2::2/64
# Each namespace has lo up and default routes (v4 and v6) via the root-side address.
# `up` waits (at most ~5 s) until ping -c1 -W1 reaches both hosts over v4 and v6, else fails.
# Root-namespace forwarding is NOT enabled, so a and b cannot reach each other.
#
# Exit codes: 0 ok, 1 failure, 2 usage error, 3 not root / missing tools.
set -Eeuo pipefail

die() { echo "netns.sh: $*" >&2; exit 1; }
usage() {
    echo "usage: netns.sh up PREFIX | down PREFIX | drop PREFIX SIDE PERCENT | clear PREFIX SIDE" >&2
    exit 2
}

[ $# -ge 2 ] || usage
cmd=$1
P=$2

if [ "$(id -u)" -ne 0 ]; then
    echo "netns.sh: must run as root (network namespaces, veth and nftables need CAP_NET_ADMIN)" >&2
    exit 3
fi
command -v ip >/dev/null 2>&1 || { echo "netns.sh: 'ip' not found (install iproute2)" >&2; exit 3; }
if [ "$cmd" = drop ] || [ "$cmd" = clear ]; then
    command -v nft >/dev/null 2>&1 || { echo "netns.sh: 'nft' not found (install nftables)" >&2; exit 3; }
fi
if [ "$cmd" = up ]; then
    command -v ping >/dev/null 2>&1 || { echo "netns.sh: 'ping' not found (install iputils-ping)" >&2; exit 3; }
fi

case "$P" in
    ''|*[!A-Za-z0-9_-]*) die "PREFIX must be non-empty [A-Za-z0-9_-]" ;;
esac
[ ${#P} -le 13 ] || die "PREFIX '$P' too long (max 13 chars so that '${P}va' fits in 15)"

sysctl_set() {  # [netns] key value ; best effort
    local ns=$1 key=$2 val=$3
    if [ -n "$ns" ]; then
        ip netns exec "$ns" sh -c "echo $val > /proc/sys/${key//.//}" 2>/dev/null || true
    else
        echo "$val" > "/proc/sys/${key//.//}" 2>/dev/null || true
    fi
}

do_down() {
    local s
    for s in a b; do
        ip link del "${P}v$s" 2>/dev/null || true
        ip netns del "${P}$s" 2>/dev/null || true
    done
}

setup_side() {  # side netidx
    local s=$1 n=$2
    local ns="${P}$s" veth="${P}v$s"
    ip netns add "$ns"
    ip link add "$veth" type veth peer name eth0 netns "$ns"

    # root side
    sysctl_set "" "net.ipv6.conf.$veth.disable_ipv6" 0
    sysctl_set "" "net.ipv6.conf.$veth.accept_dad" 0
    sysctl_set "" "net.ipv6.conf.$veth.accept_ra" 0
    ip addr add "198.18.$n.1/24" dev "$veth"
    ip -6 addr add "2001:db8:$n::1/64" dev "$veth" nodad
    ip link set "$veth" up

    # namespace side
    ip -n "$ns" link set lo up
    sysctl_set "$ns" "net.ipv6.conf.all.disable_ipv6" 0
    sysctl_set "$ns" "net.ipv6.conf.eth0.disable_ipv6" 0
    sysctl_set "$ns" "net.ipv6.conf.eth0.accept_dad" 0
    sysctl_set "$ns" "net.ipv6.conf.eth0.accept_ra" 0
    ip -n "$ns" addr add "198.18.$n.2/24" dev eth0
    ip -n "$ns" -6 addr add "2001:db8:$n::2/64" dev eth0 nodad
    ip -n "$ns" link set eth0 up
    ip -n "$ns" route add default via "198.18.$n.1" dev eth0
    ip -n "$ns" -6 route add default via "2001:db8:$n::1" dev eth0
}

do_up() {
    do_down
    trap 'echo "netns.sh: up failed, tearing down" >&2; do_down' ERR
    setup_side a 1
    setup_side b 2
    trap - ERR

    local deadline=$((SECONDS + 5)) ok=0
    while :; do
        ok=1
        for addr in 198.18.1.2 198.18.2.2 2001:db8:1::2 2001:db8:2::2; do
            if ! ping -c1 -W1 -q "$addr" >/dev/null 2>&1; then ok=0; break; fi
        done
        [ $ok -eq 1 ] && break
        [ $SECONDS -ge $deadline ] && break
        sleep 0.2
    done
    if [ $ok -ne 1 ]; then
        echo "netns.sh: namespaces created but not all of 198.18.1.2 198.18.2.2 2001:db8:1::2 2001:db8:2::2 answer ping" >&2
        do_down
        exit 1
    fi
    echo "netns.sh: up ${P}a (198.18.1.2, 2001:db8:1::2) ${P}b (198.18.2.2, 2001:db8:2::2)"
}

side_ns() {
    case "${1:-}" in
        a|b) echo "${P}$1" ;;
        *) usage ;;
    esac
}

do_clear() {
    local ns; ns=$(side_ns "$1")
    ip netns exec "$ns" nft delete table inet cwdrop 2>/dev/null || true
}

do_drop() {
    local ns; ns=$(side_ns "$1")
    local pct=$2
    case "$pct" in ''|*[!0-9]*) die "PERCENT must be an integer 0..100" ;; esac
    [ "$pct" -le 100 ] || die "PERCENT must be an integer 0..100"
    ip netns list | awk '{print $1}' | grep -qx "$ns" || die "namespace $ns does not exist (run up first)"
    do_clear "$1"
    # numgen's range is 0..99: "every packet" is written without it.
    local match="numgen random mod 100 < $pct "
    [ "$pct" -lt 100 ] || match=""
    ip netns exec "$ns" nft -f - <<EOF
table inet cwdrop {
    chain input {
        type filter hook input priority 0; policy accept;
        icmp type echo-request ${match}drop
        icmpv6 type echo-request ${match}drop
    }
}
EOF
    echo "netns.sh: dropping $pct% of incoming echo requests in $ns"
}

case "$cmd" in
    up)    [ $# -eq 2 ] || usage; do_up ;;
    down)  [ $# -eq 2 ] || usage; do_down ;;
    drop)  [ $# -eq 4 ] || usage; do_drop "$3" "$4" ;;
    clear) [ $# -eq 3 ] || usage; do_clear "$3" ;;
    *) usage ;;
esac
