#!/usr/bin/env python3
"""CommuneWatch test peer: a real net-snmp agent (Debian's /usr/sbin/snmpd).

Usage:
    python3 snmpd_peer.py --dir DIR [--lifetime SECONDS] [--ignore-stdin]

DIR must exist and be writable (the test's temporary directory).  The peer writes
DIR/snmpd.conf, DIR/cw_pass.py (pass_persist script), DIR/persist/ (snmpd's persistent
dir: engineID, engineBoots, usmUser), DIR/snmpd.log, DIR/pass-state.json, and, when
ready, DIR/port: the UDP port (decimal, then a newline), written atomically; the same
number is printed on one line to stdout.  Needs the Debian packages snmpd and snmp
(scripts/setup-deps).

snmpd runs in the foreground as
    SNMPCONFPATH=DIR:DIR/persist SNMP_PERSISTENT_DIR=DIR/persist MIBS= \
    /usr/sbin/snmpd -f -Lo -I -smux,mteTrigger,mteTriggerConf udp:127.0.0.1:PORT
(PORT an ephemeral free port; SNMPCONFPATH: no system config, only DIR/snmpd.conf and
the persistent DIR/persist/snmpd.conf; not -C, which would skip the persistent file
too and give a new engineID, engineBoots 1, at every reboot).  It serves the real host's MIB-2
(system, ifTable, ifXTable, ...: this machine's interfaces, whose counters move).

Access:
    v1/v2c community  cwpublic   read-only
    SNMPv3 user       cwpriv     authPriv    SHA(-1) "authpass123", AES(-128) "privpass123"
    SNMPv3 user       cwauth     authNoPriv  SHA(-1) "authpass123"
    anything else: no access (wrong community: no reply; wrong v3 password: report
    usmStatsWrongDigests; unknown user: report usmStatsUnknownUserNames).

Custom subtree 1.3.6.1.4.1.99999.1 (pass_persist DIR/cw_pass.py), read-only:
    .1.0  Counter32  wrapCounter:  every read of this OID (GET, or GETNEXT that returns
          it) first adds STEP, then returns the total mod 2^32.  STEP = 1500000000
          unless DIR/step holds another decimal number (re-read on every poll).
          From boot: 1500000000, 3000000000, 205032704 (wrapped: 4500000000 - 2^32),
          1705032704, ...
    .2.0  Counter64  wrapCounter64: the same total, never wrapping (4500000000, ...);
          not advanced by its own reads.
    .3.0  TimeTicks  subtreeUpTime: hundredths of a second since the last (re)boot.
    .4.0  INTEGER    bootCount: 1 at the first start, +1 per reboot.
    .5.0  Counter32  readCount: reads of .1.0 since boot.
Reboot: `touch DIR/reboot`.  Within ~0.2 s the peer stops snmpd, resets the subtree
(total 0, bootCount + 1, subtreeUpTime 0) and starts snmpd again on the SAME port, with
the same persistent dir: sysUpTime.0 (1.3.6.1.2.1.1.3.0) restarts near 0, and
snmpEngineBoots (1.3.6.1.6.3.10.2.1.2.0) increases by 1.  The peer deletes DIR/reboot
once the new snmpd answers v2c and v3 again: wait for the file to disappear.
A device reconfigured before its restart: write the new sysLocation to DIR/location first.

Exits (killing snmpd) when stdin reaches EOF, after --lifetime seconds (default 600),
on SIGTERM/SIGINT, or if snmpd dies.  --ignore-stdin disables the stdin watch (manual
testing only).
"""

import argparse
import json
import os
import shutil
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import (add_ignore_stdin_option, add_lifetime_option,  # noqa: E402
                         free_udp_port, make_log, set_pdeathsig, start_watchdogs, stop_child, tail,
                         write_atomic)

SNMPD = "/usr/sbin/snmpd"
PYTHON = "/usr/bin/python3"
READY_TIMEOUT = 20.0
START_ATTEMPTS = 3

COMMUNITY = "cwpublic"
V3_PRIV = ("cwpriv", "authpass123", "privpass123")
V3_AUTH = ("cwauth", "authpass123")

log = make_log("snmpd_peer")

PASS_SCRIPT = r'''#!/usr/bin/python3
# CommuneWatch snmpd_peer.py pass_persist script: subtree 1.3.6.1.4.1.99999.1.
# State in DIR/pass-state.json, step override in DIR/step.  See snmpd_peer.py.
import json, os, sys, time
DIR = sys.argv[1]
STATE = os.path.join(DIR, "pass-state.json")
BASE = ".1.3.6.1.4.1.99999.1"
OIDS = [BASE + ".1.0", BASE + ".2.0", BASE + ".3.0", BASE + ".4.0", BASE + ".5.0"]
DEFAULT_STEP = 1500000000

def key(o):
    return tuple(int(x) for x in o.strip(".").split(".") if x)

def load():
    try:
        with open(STATE) as f:
            return json.load(f)
    except Exception:
        return {"total": 0, "reads": 0, "boots": 1, "boot_time": time.time()}

def save(st):
    tmp = STATE + ".tmp"
    with open(tmp, "w") as f:
        json.dump(st, f)
    os.replace(tmp, STATE)

def step():
    try:
        with open(os.path.join(DIR, "step")) as f:
            return int(f.read().strip())
    except Exception:
        return DEFAULT_STEP

def value(o, st):
    if o == OIDS[0]:
        st["total"] += step()
        st["reads"] += 1
        save(st)
        return "counter", st["total"] % (1 << 32)
    if o == OIDS[1]:
        return "counter64", st["total"] % (1 << 64)
    if o == OIDS[2]:
        return "timeticks", int((time.time() - st["boot_time"]) * 100) % (1 << 32)
    if o == OIDS[3]:
        return "integer", st["boots"]
    if o == OIDS[4]:
        return "counter", st["reads"] % (1 << 32)

def reply(*lines):
    sys.stdout.write("".join("%s\n" % l for l in lines))
    sys.stdout.flush()

def main():
    st = load()
    save(st)
    while True:
        cmd = sys.stdin.readline()
        if not cmd:
            return
        cmd = cmd.strip().lower()
        if cmd == "ping":
            reply("PONG")
        elif cmd in ("get", "getnext"):
            o = "." + sys.stdin.readline().strip().strip(".")
            if cmd == "get":
                target = o if o in OIDS else None
            else:
                later = [x for x in OIDS if key(x) > key(o)]
                target = later[0] if later else None
            if target is None:
                reply("NONE")
            else:
                t, v = value(target, st)
                reply(target, t, v)
        elif cmd == "set":
            sys.stdin.readline()
            sys.stdin.readline()
            reply("not-writable")
        elif cmd == "":
            continue
        else:
            reply("NONE")

main()
'''



def write_config(d, port):
    try:
        location = open(os.path.join(d, "location")).read().strip() or "loopback lab"
    except OSError:
        location = "loopback lab"
    pass_script = os.path.join(d, "cw_pass.py")
    with open(pass_script, "w") as f:
        f.write(PASS_SCRIPT)
    os.chmod(pass_script, 0o755)
    conf = """# Written by CommuneWatch Tests/Peers/snmpd_peer.py
# Listening address udp:127.0.0.1:{port} is given on the command line (an agentAddress
# line here as well would make snmpd open the port twice and fail).
sysDescr CommuneWatch snmpd_peer (net-snmp)
sysName snmpd-peer
sysLocation {location}
sysContact test@communewatch.invalid
sysServices 72
dontLogTCPWrappersConnects yes
rocommunity {community} 127.0.0.1
createUser {pu} SHA "{pa}" AES "{pp}"
createUser {au} SHA "{aa}"
rouser {pu} priv
rouser {au} auth
pass_persist .1.3.6.1.4.1.99999.1 {python} {script} {dir}
""".format(port=port, location=location, community=COMMUNITY, pu=V3_PRIV[0], pa=V3_PRIV[1], pp=V3_PRIV[2],
           au=V3_AUTH[0], aa=V3_AUTH[1], python=PYTHON, script=pass_script, dir=d)
    write_atomic(os.path.join(d, "snmpd.conf"), conf)


def snmp_ok(port):
    base = ["snmpget", "-t", "0.5", "-r", "0", "-On"]
    target = ["127.0.0.1:%d" % port, "1.3.6.1.2.1.1.1.0"]
    checks = [
        base + ["-v2c", "-c", COMMUNITY] + target,
        base + ["-v3", "-l", "authPriv", "-u", V3_PRIV[0], "-a", "SHA", "-A", V3_PRIV[1],
                "-x", "AES", "-X", V3_PRIV[2]] + target,
    ]
    env = dict(os.environ, MIBS="")
    for cmd in checks:
        try:
            r = subprocess.run(cmd, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                               stderr=subprocess.DEVNULL, timeout=5, env=env)
        except (OSError, subprocess.SubprocessError):
            return False
        if r.returncode != 0:
            return False
    return True



class Agent:
    def __init__(self, d, lifetime, stop):
        self.d = d
        self.stop = stop
        self.bound = "%d" % (int(lifetime) + 30)
        self.proc = None
        self.logfile = os.path.join(d, "snmpd.log")
        # With SNMPCONFPATH set, net-snmp reads ONLY that path, not even the persistent
        # dir: list it too, or engineID/engineBoots would not survive a reboot.
        persist = os.path.join(d, "persist")
        self.env = dict(os.environ, MIBS="", SNMPCONFPATH=d + ":" + persist,
                        SNMP_PERSISTENT_DIR=persist)
        self.env.pop("MIBDIRS", None)

    def start(self, port):
        """Start snmpd on port; True when it answers v2c and v3 authPriv."""
        write_config(self.d, port)
        # No -C/-c: -C would also skip the persistent file (engineID, engineBoots), so
        # every restart would look like a new engine.  SNMPCONFPATH=DIR:DIR/persist makes
        # snmpd read DIR/snmpd.conf and the persistent DIR/persist/snmpd.conf, and
        # nothing from /etc/snmp or ~/.snmp.
        cmd = ["timeout", "-k", "5", self.bound, SNMPD, "-f", "-Lo",
               "-I", "-smux,mteTrigger,mteTriggerConf",
               "udp:127.0.0.1:%d" % port]
        with open(self.logfile, "ab") as lf:
            self.proc = subprocess.Popen(cmd, stdin=subprocess.DEVNULL, stdout=lf,
                                         stderr=subprocess.STDOUT, env=self.env,
                                         cwd=self.d, start_new_session=True,
                                         preexec_fn=set_pdeathsig)
        deadline = time.monotonic() + READY_TIMEOUT
        while time.monotonic() < deadline and not self.stop.is_set():
            if self.proc.poll() is not None:
                break
            if snmp_ok(port):
                return True
            self.stop.wait(0.2)
        log("snmpd on port %d not ready (exit status %s)" % (port, self.proc.poll()))
        self.kill()
        return False

    def kill(self):
        stop_child(self.proc)
        self.proc = None


def reset_subtree(d, boots):
    write_atomic(os.path.join(d, "pass-state.json"),
                 json.dumps({"total": 0, "reads": 0, "boots": boots,
                             "boot_time": time.time()}))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    add_lifetime_option(ap)
    add_ignore_stdin_option(ap)
    args = ap.parse_args()
    d = os.path.abspath(args.dir)

    for tool in (SNMPD, shutil.which("snmpget")):
        if not tool or not os.access(tool, os.X_OK):
            log("snmpd/snmpget missing: run scripts/setup-deps (Debian snmpd, snmp)")
            return 2
    if not os.path.isdir(d):
        log("--dir %s is not a directory" % d)
        return 2

    stop = threading.Event()
    for sig in (signal.SIGTERM, signal.SIGINT):
        signal.signal(sig, lambda *_: stop.set())
    start_watchdogs(stop, args, log)

    # Fresh state for every peer start.
    shutil.rmtree(os.path.join(d, "persist"), ignore_errors=True)
    os.makedirs(os.path.join(d, "persist"), mode=0o700)
    for name in ("port", "reboot"):
        try:
            os.unlink(os.path.join(d, name))
        except FileNotFoundError:
            pass
    boots = 1
    reset_subtree(d, boots)

    agent = Agent(d, args.lifetime, stop)
    port = None
    try:
        for _ in range(START_ATTEMPTS):
            if stop.is_set():
                return 1
            port = free_udp_port()
            if agent.start(port):
                break
            port = None
        if port is None:
            log("snmpd failed to start; log tail:\n" + tail(agent.logfile))
            return 1

        write_atomic(os.path.join(d, "port"), "%d\n" % port)
        sys.stdout.write("%d\n" % port)
        sys.stdout.flush()
        log("snmpd (pid %d) ready on udp 127.0.0.1:%d" % (agent.proc.pid, port))

        reboot_flag = os.path.join(d, "reboot")
        while not stop.wait(0.2):
            if os.path.exists(reboot_flag):
                log("reboot requested")
                agent.kill()
                boots += 1
                reset_subtree(d, boots)
                ok = False
                for _ in range(START_ATTEMPTS):  # same port: retry if briefly taken
                    if stop.is_set() or agent.start(port):
                        ok = not stop.is_set()
                        break
                    stop.wait(0.5)
                if not ok:
                    if not stop.is_set():
                        log("snmpd failed to restart; log tail:\n" + tail(agent.logfile))
                    return 1
                try:
                    os.unlink(reboot_flag)
                except FileNotFoundError:
                    pass
                log("rebooted (boot %d), snmpd pid %d" % (boots, agent.proc.pid))
            elif agent.proc.poll() is not None:
                log("snmpd exited unexpectedly (status %s); log tail:\n%s"
                    % (agent.proc.returncode, tail(agent.logfile)))
                return 1
        return 0
    finally:
        agent.kill()


if __name__ == "__main__":
    code = main()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    os._exit(code)
