#!/usr/bin/env python3
"""CommuneWatch test peer: minimal hand-written authoritative DNS server.

Usage:
    python3 dns_peer.py --port-file FILE [--lifetime SECONDS] [--ignore-stdin]

Listens on UDP and TCP 127.0.0.1 on the same ephemeral port.  When ready it writes
the port number (decimal, followed by a newline) to FILE atomically and prints the
same number on one line to stdout.

Behaviour by query name (case-insensitive, trailing dot optional; "X" below matches
both the name X itself and any name under it):
    ok.test         NOERROR; A -> 127.0.0.1 and 127.0.0.2, AAAA -> ::1, other types:
                    zero answers
    nx.test         NXDOMAIN (rcode 3)
    fail.test       SERVFAIL (rcode 2)
    refuse.test     REFUSED (rcode 5)
    silent.test     no reply at all
    slow.test       like ok.test, but the reply is sent after 400 ms
    big.test        UDP: TC bit set, no answers; TCP: type A gets 40 A records
                    127.0.1.1 .. 127.0.1.40 (other types: zero answers)
    anything else   NXDOMAIN
Replies copy the id, opcode and question, set QR, AA, RA and copy RD.  Non-query
opcodes get NOTIMP (rcode 4).  Garbage is ignored.

Exits when stdin reaches EOF (parent died) or after --lifetime seconds (default 600).
--ignore-stdin disables the stdin watch (manual testing only).
"""

import argparse
import os
import socket
import struct
import sys
import threading
import time

# The peers run as `python3 /abs/path/Tests/Peers/x.py` from any working directory:
# make the shared module importable without leaving a __pycache__ behind.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import (add_ignore_stdin_option, add_lifetime_option,  # noqa: E402
                         make_log, start_watchdogs, wait_and_exit, write_atomic)

TTL = 60
SLOW_DELAY = 0.4

NOERROR, FORMERR, SERVFAIL, NXDOMAIN, NOTIMP, REFUSED = 0, 1, 2, 3, 4, 5
T_A, T_AAAA = 1, 28
C_IN = 1


log = make_log("dns_peer")


class BadPacket(Exception):
    pass


def parse_query(data):
    """Return (id, flags, qname_lower, qtype, qclass, question_bytes) or raise."""
    if len(data) < 12:
        raise BadPacket("short header")
    qid, flags, qd, an, ns, ar = struct.unpack("!6H", data[:12])
    if flags & 0x8000:
        raise BadPacket("is a response")
    if qd != 1:
        raise BadPacket("qdcount=%d" % qd)
    pos = 12
    labels = []
    total = 0
    while True:
        if pos >= len(data):
            raise BadPacket("truncated name")
        n = data[pos]
        if n & 0xC0:
            raise BadPacket("compressed/extended label in question")
        pos += 1
        if n == 0:
            break
        if pos + n > len(data):
            raise BadPacket("truncated label")
        labels.append(data[pos:pos + n])
        total += n + 1
        if total > 255:
            raise BadPacket("name too long")
        pos += n
    if pos + 4 > len(data):
        raise BadPacket("truncated question")
    qtype, qclass = struct.unpack("!HH", data[pos:pos + 4])
    pos += 4
    try:
        name = ".".join(l.decode("ascii") for l in labels).lower()
    except UnicodeDecodeError:
        name = ".".join(l.decode("latin-1") for l in labels).lower()
    return qid, flags, name, qtype, qclass, data[12:pos]


def under(name, zone):
    return name == zone or name.endswith("." + zone)


def classify(name):
    name = name.rstrip(".")
    for zone, kind in (("ok.test", "ok"), ("nx.test", "nx"), ("fail.test", "fail"),
                       ("refuse.test", "refuse"), ("silent.test", "silent"),
                       ("slow.test", "slow"), ("big.test", "big")):
        if under(name, zone):
            return kind
    return "nx"


def rr(rtype, rdata):
    # Name is a pointer to the question name at offset 12.
    return struct.pack("!HHHIH", 0xC00C, rtype, C_IN, TTL, len(rdata)) + rdata


def build_reply(qid, qflags, question, rcode, answers=(), tc=False):
    opcode = qflags & 0x7800
    rd = qflags & 0x0100
    flags = 0x8000 | opcode | 0x0400 | rd | 0x0080 | (rcode & 0xF)
    if tc:
        flags |= 0x0200
    hdr = struct.pack("!6H", qid, flags, 1, len(answers), 0, 0)
    return hdr + question + b"".join(answers)


def answer(data, transport):
    """Return (reply_bytes_or_None, delay_seconds)."""
    qid, flags, name, qtype, qclass, question = parse_query(data)
    opcode = (flags >> 11) & 0xF
    if opcode != 0:
        return build_reply(qid, flags, question, NOTIMP), 0.0
    kind = classify(name)
    if kind == "silent":
        return None, 0.0
    if kind == "nx":
        return build_reply(qid, flags, question, NXDOMAIN), 0.0
    if kind == "fail":
        return build_reply(qid, flags, question, SERVFAIL), 0.0
    if kind == "refuse":
        return build_reply(qid, flags, question, REFUSED), 0.0
    in_class = qclass in (C_IN, 255)
    if kind == "big":
        if transport == "udp":
            return build_reply(qid, flags, question, NOERROR, tc=True), 0.0
        ans = []
        if in_class and qtype in (T_A, 255):
            ans = [rr(T_A, bytes([127, 0, 1, i])) for i in range(1, 41)]
        return build_reply(qid, flags, question, NOERROR, ans), 0.0
    # ok / slow
    ans = []
    if in_class and qtype in (T_A, 255):
        ans += [rr(T_A, bytes([127, 0, 0, 1])), rr(T_A, bytes([127, 0, 0, 2]))]
    if in_class and qtype in (T_AAAA, 255):
        ans.append(rr(T_AAAA, socket.inet_pton(socket.AF_INET6, "::1")))
    return build_reply(qid, flags, question, NOERROR, ans), (SLOW_DELAY if kind == "slow" else 0.0)


# --------------------------------------------------------------------------- servers

def bind_pair(host="127.0.0.1", attempts=200):
    last = None
    for _ in range(attempts):
        u = socket.socket(socket.AF_INET, socket.SOCK_DGRAM)
        u.bind((host, 0))
        port = u.getsockname()[1]
        t = socket.socket(socket.AF_INET, socket.SOCK_STREAM)
        t.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            t.bind((host, port))
            t.listen(64)
            return u, t, port
        except OSError as e:
            last = e
            t.close()
            u.close()
    raise RuntimeError("could not bind UDP+TCP on the same port: %r" % last)


def udp_loop(u):
    while True:
        try:
            data, addr = u.recvfrom(65535)
        except OSError as e:
            log("udp recv error: %r" % e)
            time.sleep(0.05)
            continue
        try:
            reply, delay = answer(data, "udp")
        except BadPacket as e:
            log("udp: ignoring packet from %s: %s" % (addr, e))
            continue
        except Exception as e:
            log("udp: unexpected error on packet from %s: %r" % (addr, e))
            continue
        if reply is None:
            continue

        def send(reply=reply, addr=addr):
            try:
                u.sendto(reply, addr)
            except OSError as e:
                log("udp send to %s failed: %r" % (addr, e))
        if delay > 0:
            timer = threading.Timer(delay, send)
            timer.daemon = True
            timer.start()
        else:
            send()


def recv_exact(c, n):
    buf = b""
    while len(buf) < n:
        chunk = c.recv(n - len(buf))
        if not chunk:
            return None
        buf += chunk
    return buf


def tcp_conn(c, addr):
    lock = threading.Lock()

    def send(reply):
        try:
            with lock:
                c.sendall(struct.pack("!H", len(reply)) + reply)
        except OSError as e:
            log("tcp send to %s failed: %r" % (addr, e))
    try:
        c.settimeout(30)
        while True:
            hdr = recv_exact(c, 2)
            if hdr is None:
                break
            (n,) = struct.unpack("!H", hdr)
            data = recv_exact(c, n) if n else b""
            if data is None:
                break
            try:
                reply, delay = answer(data, "tcp")
            except BadPacket as e:
                log("tcp: ignoring message from %s: %s" % (addr, e))
                continue
            if reply is None:
                continue
            if delay > 0:
                time.sleep(delay)
            send(reply)
    except (OSError, socket.timeout) as e:
        log("tcp connection from %s ended: %r" % (addr, e))
    except Exception as e:
        log("tcp: unexpected error from %s: %r" % (addr, e))
    finally:
        try:
            c.close()
        except OSError:
            pass


def tcp_loop(t):
    while True:
        try:
            c, addr = t.accept()
        except OSError as e:
            log("tcp accept error: %r" % e)
            time.sleep(0.05)
            continue
        threading.Thread(target=tcp_conn, args=(c, addr), daemon=True).start()


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--port-file", required=True)
    add_lifetime_option(ap)
    add_ignore_stdin_option(ap)
    args = ap.parse_args()

    stop = threading.Event()
    start_watchdogs(stop, args, log)

    try:
        u, t, port = bind_pair()
    except Exception as e:
        log("startup failed: %s" % e)
        os._exit(2)
    threading.Thread(target=udp_loop, args=(u,), daemon=True).start()
    threading.Thread(target=tcp_loop, args=(t,), daemon=True).start()

    write_atomic(os.path.abspath(args.port_file), "%d\n" % port)
    sys.stdout.write("%d\n" % port)
    sys.stdout.flush()

    wait_and_exit(stop)


if __name__ == "__main__":
    main()
