#!/usr/bin/env python3
"""CommuneWatch test peer: snmpsim (SNMP simulator) serving recordings of real devices.

Usage:
    python3 snmpsim_peer.py --port-file FILE [--lifetime SECONDS] [--ignore-stdin]
                            [--venv DIR] [--data-dir DIR]

Needs scripts/setup-snmpsim to have run (venv /opt/communewatch/snmpsim-venv, data
/opt/communewatch/snmpsim-data) and the Debian package `snmp` (snmpget, for the
readiness check).  Must run as root: snmpsim drops to nobody/nogroup itself.

Runs snmpsim-command-responder on UDP 127.0.0.1:PORT (an ephemeral free port).  When it
answers (snmpget -v2c -c router ... sysDescr.0), writes PORT (decimal, then a newline)
atomically to FILE and prints it on one line to stdout.

SNMP v1/v2c community = recording file name without ".snmprec":
    router     Cisco router (snmpsim-data network/router/cisco-unmarked-0), 28 interfaces
    switch     Cisco Catalyst C3750 (network/switch/cisco-c3750), 19 interfaces
    linux      Linux host, net-snmp (os/linux/unknown-006), 11 interfaces
    counters   synthetic 3-interface device whose counters move; see scripts/setup-snmpsim
               (ifInOctets.2/ifHCInOctets.2 +125000/s, ifOutOctets.2/ifHCOutOctets.2
               +62500/s, sysUpTime.0 +100/s, all restarting at every peer start)
Values are static in the three real recordings (the same on every poll).
SNMPv3 users (same as snmpd_peer.py; the SNMPv3 context name selects the recording,
e.g. -n router):  cwpriv  SHA "authpass123" + AES "privpass123" (authPriv)
                  cwauth  SHA "authpass123" (authNoPriv)

Exits (killing snmpsim) when stdin reaches EOF, after --lifetime seconds (default 600),
on SIGTERM/SIGINT, or if snmpsim dies.  --ignore-stdin disables the stdin watch (manual
testing only).  snmpsim's log goes to a file in a temporary directory that is removed
on exit (its tail is printed to stderr if snmpsim fails to start).
"""

import argparse
import os
import pwd
import grp
import shutil
import signal
import subprocess
import sys
import tempfile
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import (add_ignore_stdin_option, add_lifetime_option,  # noqa: E402
                         free_udp_port, make_log, set_pdeathsig, start_watchdogs, stop_child, tail,
                         write_atomic)

DEFAULT_VENV = "/opt/communewatch/snmpsim-venv"
DEFAULT_DATA = "/opt/communewatch/snmpsim-data"
READY_TIMEOUT = 30.0
START_ATTEMPTS = 3

log = make_log("snmpsim_peer")



def snmp_ok(port, community):
    try:
        r = subprocess.run(
            ["snmpget", "-v2c", "-c", community, "-t", "0.5", "-r", "0", "-On",
             "127.0.0.1:%d" % port, "1.3.6.1.2.1.1.1.0"],
            stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
            stderr=subprocess.DEVNULL, timeout=5)
        return r.returncode == 0
    except (OSError, subprocess.SubprocessError):
        return False



def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--venv", default=DEFAULT_VENV)
    ap.add_argument("--data-dir", default=DEFAULT_DATA)
    add_lifetime_option(ap)
    add_ignore_stdin_option(ap)
    args = ap.parse_args()

    responder = os.path.join(args.venv, "bin", "snmpsim-command-responder")
    if not os.access(responder, os.X_OK) or not os.path.isdir(args.data_dir):
        log("%s or %s missing: run scripts/setup-snmpsim" % (responder, args.data_dir))
        return 2
    if shutil.which("snmpget") is None:
        log("snmpget missing: run scripts/setup-deps (Debian package snmp)")
        return 2
    try:
        nobody = pwd.getpwnam("nobody").pw_uid
        nogroup = grp.getgrnam("nogroup").gr_gid
    except KeyError:
        log("user nobody / group nogroup missing")
        return 2

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    start_watchdogs(stop, args, log)

    # Fresh cache dir for snmpsim's record indexes, writable by nobody (snmpsim builds
    # the indexes after dropping privileges).
    work = tempfile.mkdtemp(prefix="cw-snmpsim-")
    os.chmod(work, 0o755)
    cache = os.path.join(work, "cache")
    os.mkdir(cache, 0o700)
    os.chown(cache, nobody, nogroup)
    logfile = os.path.join(work, "snmpsim.log")

    env = dict(os.environ)
    env.setdefault("HOME", "/nonexistent")  # snmpsim's confdir reads $HOME
    env["PYTHONDONTWRITEBYTECODE"] = "1"
    # Bound snmpsim's life even if this peer is killed without cleanup.
    bound = "%d" % (int(args.lifetime) + 30)

    proc = None
    port = None
    rc = 1
    try:
        for attempt in range(1, START_ATTEMPTS + 1):
            port = free_udp_port()
            cmd = ["timeout", "-k", "5", bound, responder,
                   "--data-dir=" + args.data_dir,
                   "--cache-dir=" + cache,
                   "--agent-udpv4-endpoint=127.0.0.1:%d" % port,
                   "--process-user=nobody", "--process-group=nogroup",
                   "--v3-user=cwpriv", "--v3-auth-key=authpass123",
                   "--v3-auth-proto=SHA", "--v3-priv-key=privpass123",
                   "--v3-priv-proto=AES",
                   "--v3-user=cwauth", "--v3-auth-key=authpass123",
                   "--v3-auth-proto=SHA"]
            with open(logfile, "ab") as lf:
                proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=lf,
                                        stderr=subprocess.STDOUT, env=env,
                                        cwd=work, start_new_session=True,
                                        preexec_fn=set_pdeathsig)
            deadline = time.monotonic() + READY_TIMEOUT
            ready = False
            while time.monotonic() < deadline and not stop.is_set():
                if proc.poll() is not None:
                    break
                if snmp_ok(port, "router"):
                    ready = True
                    break
                stop.wait(0.2)
            if ready or stop.is_set():
                break
            log("attempt %d: snmpsim on port %d not ready (exit status %s)"
                % (attempt, port, proc.poll()))
            stop_child(proc)
            proc = None
        if proc is None or stop.is_set():
            if proc is None:
                log("snmpsim failed to start; log tail:\n" + tail(logfile))
            return 1

        write_atomic(args.port_file, "%d\n" % port)
        sys.stdout.write("%d\n" % port)
        sys.stdout.flush()
        log("snmpsim (pid %d) ready on udp 127.0.0.1:%d" % (proc.pid, port))

        while not stop.wait(0.5):
            if proc.poll() is not None:
                log("snmpsim exited unexpectedly (status %s); log tail:\n%s"
                    % (proc.returncode, tail(logfile)))
                return 1
        rc = 0
        return rc
    finally:
        stop_child(proc)
        shutil.rmtree(work, ignore_errors=True)


if __name__ == "__main__":
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    os._exit(code)
