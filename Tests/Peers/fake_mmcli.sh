#!/bin/sh
# Stands in for ModemManager's `mmcli` (no modem hardware here): prints the committed
# `mmcli -J` fixtures of one scenario, and records --signal-setup calls.
#   fake_mmcli.sh SCENARIO STATE_DIR mmcli-arguments...
# SCENARIO: lte-full | lte-polling-off | no-sim | none
set -eu
scenario=$1; state=$2; shift 2
fixtures="$(cd "$(dirname "$0")/../AgentRuntimeTests/Fixtures/modem" && pwd)"
case "$*" in
    "-L -J")
        if [ "$scenario" = none ]; then cat "$fixtures/list-none.json"; else cat "$fixtures/list-one.json"; fi ;;
    *"--signal-setup="*)
        echo "$*" >> "$state/signal-setup-calls"
        echo "Successfully setup signal quality information polling" ;;
    *"--signal-get -J")
        if [ "$scenario" = no-sim ]; then echo "error: modem has no extended signal capabilities" >&2; exit 1; fi
        cat "$fixtures/$scenario-signal.json" ;;
    *"--location-get -J")
        if [ "$scenario" = no-sim ]; then echo "error: modem not enabled yet" >&2; exit 1; fi
        cat "$fixtures/lte-full-location.json" ;;
    "-m "*" -J")
        cat "$fixtures/$scenario-modem.json" ;;
    *)
        echo "error: fake mmcli does not know: $*" >&2; exit 2 ;;
esac
