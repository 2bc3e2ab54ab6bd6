"""CommuneWatch test peers: code shared by dns_peer.py and https_peer.py.

Standard library only.  The peers are started as `python3 /abs/path/Tests/Peers/x.py`
and put their own directory on sys.path before importing this module.

    log = make_log("dns_peer")          # writes "dns_peer: MSG\n" to stderr
    add_lifetime_option(ap)             # --lifetime SECONDS (default 600)
    add_ignore_stdin_option(ap)         # --ignore-stdin
    stop = threading.Event()
    start_watchdogs(stop, args, log)    # sets stop on stdin EOF or after --lifetime
    write_atomic(path, text)
    wait_and_exit(stop)                 # blocks until stop is set, then os._exit(0)
"""

import os
import socket
import ctypes
import subprocess
import signal
import sys
import threading

DEFAULT_LIFETIME = 600.0


def make_log(name):
    """Return log(msg) writing "NAME: msg" to stderr; never raises."""
    def log(msg):
        try:
            sys.stderr.write("%s: %s\n" % (name, msg))
            sys.stderr.flush()
        except Exception:
            pass
    return log


def write_atomic(path, text):
    """Write text to path via a temporary file in the same directory and rename."""
    tmp = "%s.tmp.%d" % (path, os.getpid())
    with open(tmp, "w") as f:
        f.write(text)
        f.flush()
        os.fsync(f.fileno())
    os.replace(tmp, path)


def add_lifetime_option(ap):
    ap.add_argument("--lifetime", type=float, default=DEFAULT_LIFETIME)


def add_ignore_stdin_option(ap):
    ap.add_argument("--ignore-stdin", action="store_true",
                    help="do not exit on stdin EOF (manual testing only)")


def start_lifetime_timer(stop, lifetime, log):
    """Set stop after lifetime seconds unless it is set earlier."""
    def lifetime_timer():
        if not stop.wait(lifetime):
            log("lifetime of %gs reached, exiting" % lifetime)
            stop.set()
    threading.Thread(target=lifetime_timer, daemon=True).start()


def start_stdin_watch(stop, log):
    """Set stop when stdin reaches EOF (the parent died or closed the pipe)."""
    def stdin_watch():
        try:
            while os.read(0, 4096):
                pass
        except OSError:
            pass
        log("stdin closed, exiting")
        stop.set()
    threading.Thread(target=stdin_watch, daemon=True).start()


def start_watchdogs(stop, args, log):
    """Lifetime timer from args.lifetime, plus the stdin watch unless args.ignore_stdin."""
    start_lifetime_timer(stop, args.lifetime, log)
    if not args.ignore_stdin:
        start_stdin_watch(stop, log)


def wait_and_exit(stop):
    """Block until stop is set, flush stdout/stderr and exit 0 without cleanup."""
    stop.wait()
    try:
        sys.stdout.flush()
        sys.stderr.flush()
    except Exception:
        pass
    os._exit(0)


def stop_child(proc):
    """Stops a child started in its own process group: SIGTERM, then SIGKILL."""
    if proc is None or proc.poll() is not None:
        return
    for sig, wait in ((signal.SIGTERM, 3.0), (signal.SIGKILL, 3.0)):
        try:
            os.killpg(proc.pid, sig)
        except OSError:
            pass
        try:
            proc.wait(wait)
            return
        except subprocess.TimeoutExpired:
            pass


def tail(path, n=20):
    """The last n lines of a log file, for error messages."""
    try:
        with open(path, errors="replace") as f:
            return "".join(f.readlines()[-n:])
    except OSError:
        return ""


def free_udp_port():
    """A UDP port on 127.0.0.1 that was free a moment ago."""
    s = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
    try:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]
    finally:
        s.close()


def set_pdeathsig():
    """In the child before exec: get SIGTERM when the peer dies, even by SIGKILL."""
    try:
        libc = ctypes.CDLL("libc.so.6", use_errno=True)
        libc.prctl(1, signal.SIGTERM)  # PR_SET_PDEATHSIG
    except Exception:
        pass
