#!/usr/bin/env python3
"""CommuneWatch test peer: a real PostgreSQL server (Debian's postgresql package).

Usage:
    python3 postgres_peer.py --dir DIR [--lifetime SECONDS] [--ignore-stdin]

Makes a new cluster in DIR/pgdata (initdb, superuser "postgres", password "cw-test",
scram-sha-256 over TCP) and runs `postgres` in the foreground on 127.0.0.1:PORT, PORT a
free port, its Unix socket in DIR.  When ready, writes PORT to DIR/port (atomically).
As root, the cluster and the server run as the "postgres" user (PostgreSQL refuses root).
fsync is off: the tests kill collectors, never this server, so durability is not what is
tested here.  On stdin EOF, --lifetime, or SIGTERM: the server is stopped (fast shutdown)
and DIR/pgdata removed.
"""

import argparse
import glob
import os
import pwd
import shutil
import signal
import socket
import subprocess
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import (make_log, write_atomic, add_lifetime_option, add_ignore_stdin_option,
                         start_watchdogs, set_pdeathsig, tail)

log = make_log("postgres_peer")
PASSWORD = "cw-test"


def bin_dir():
    dirs = sorted(glob.glob("/usr/lib/postgresql/*/bin"), key=lambda d: int(d.split("/")[-2]))
    if not dirs:
        sys.exit("postgres_peer: no /usr/lib/postgresql/*/bin (apt-get install postgresql; scripts/setup-deps does)")
    return dirs[-1]


def free_tcp_port():
    s = socket.socket()
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def as_owner(uid, gid):
    def preexec():
        set_pdeathsig()
        if os.getuid() == 0:
            os.setgroups([])
            os.setgid(gid)
            os.setuid(uid)
    return preexec


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    add_lifetime_option(ap)
    add_ignore_stdin_option(ap)
    args = ap.parse_args()
    stop = threading.Event()
    start_watchdogs(stop, args, log)
    signal.signal(signal.SIGTERM, lambda *_: stop.set())

    bindir = bin_dir()
    directory = os.path.abspath(args.dir)
    data = os.path.join(directory, "pgdata")
    if os.getuid() == 0:
        owner = pwd.getpwnam("postgres")
        uid, gid = owner.pw_uid, owner.pw_gid
        os.chown(directory, uid, gid)
    else:
        uid, gid = os.getuid(), os.getgid()
    pwfile = os.path.join(directory, "pwfile")
    with open(pwfile, "w") as f:
        f.write(PASSWORD + "\n")
    os.chown(pwfile, uid, gid)
    with open(os.path.join(directory, "initdb.log"), "w") as out:
        rc = subprocess.call([bindir + "/initdb", "-D", data, "-U", "postgres", "--pwfile", pwfile, "-E", "UTF8",
                              "--locale", "C", "--auth-local", "trust", "--auth-host", "scram-sha-256", "--no-sync"],
                             stdout=out, stderr=subprocess.STDOUT, preexec_fn=as_owner(uid, gid), cwd=directory)
    if rc != 0:
        sys.exit("postgres_peer: initdb failed:\n" + tail(os.path.join(directory, "initdb.log")))

    port = free_tcp_port()
    logfile = open(os.path.join(directory, "postgres.log"), "w")
    server = subprocess.Popen([bindir + "/postgres", "-D", data, "-p", str(port), "-k", directory,
                               "-c", "listen_addresses=127.0.0.1", "-c", "fsync=off", "-c", "full_page_writes=off",
                               "-c", "max_connections=300", "-c", "shared_buffers=64MB"],
                              stdout=logfile, stderr=subprocess.STDOUT, preexec_fn=as_owner(uid, gid),
                              cwd=directory, start_new_session=True)
    deadline = time.time() + 30
    ready = False
    while time.time() < deadline and server.poll() is None and not stop.is_set():
        if subprocess.call([bindir + "/pg_isready", "-q", "-h", "127.0.0.1", "-p", str(port)]) == 0:
            ready = True
            break
        time.sleep(0.1)
    if not ready:
        log("postgres did not start:\n" + tail(os.path.join(directory, "postgres.log")))
        stop.set()
    else:
        write_atomic(os.path.join(directory, "port"), "%d\n" % port)
        log("ready on 127.0.0.1:%d" % port)
        while not stop.wait(0.5):
            if server.poll() is not None:
                log("postgres exited:\n" + tail(os.path.join(directory, "postgres.log")))
                break
    if server.poll() is None:
        server.send_signal(signal.SIGINT)  # fast shutdown
        try:
            server.wait(10)
        except subprocess.TimeoutExpired:
            server.kill()
            server.wait()
    shutil.rmtree(data, ignore_errors=True)
    os._exit(0)


if __name__ == "__main__":
    main()
