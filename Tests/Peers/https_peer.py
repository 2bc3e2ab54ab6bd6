#!/usr/bin/env python3
"""CommuneWatch test peer: HTTPS (valid cert), HTTPS (expired cert) and plain HTTP.

Usage:
    python3 https_peer.py --dir DIR [--lifetime SECONDS] [--ignore-stdin]

In DIR it generates with the `openssl` CLI:
    ca.pem / ca.key                 CA, subject CN "CommuneWatch Test CA"
    server.pem / server.key         valid ~1 year, SAN DNS:localhost, IP:127.0.0.1, IP:::1
    expired.pem / expired.key       same SANs, signed by the same CA, notBefore and
                                    notAfter both in the past (expired 10 days ago)

Then it starts three threaded HTTP/1.1 servers on 127.0.0.1 (ephemeral ports) and,
once all listen, writes DIR/ports.json atomically and prints the same JSON on one
line to stdout:
    {"https": P1, "expired": P2, "http": P3}

Endpoints (identical on all three servers):
    /ok                 200 "CommuneWatch peer OK"
    /slow?ms=N          sleeps N ms before the status line, then 200 "slow OK"
    /wrong              200 "maintenance page"
    /status/NNN         status NNN with a short body (no body for 1xx/204/304)
    /redirect?n=K       chain of K 302 redirects ending at /ok (n<=0 serves /ok directly)
    /big?bytes=N        200 with N bytes of 'x'
    anything else       404

Exits when stdin reaches EOF (parent died) or after --lifetime seconds (default 600),
whichever comes first.  --ignore-stdin disables the stdin watch (manual testing).
Only the Python standard library and the openssl CLI are used.
"""

import argparse
import http.server
import json
import os
import socket
import socketserver
import ssl
import subprocess
import sys
import threading
import time
import urllib.parse

# The peers run as `python3 /abs/path/Tests/Peers/x.py` from any working directory:
# make the shared module importable without leaving a __pycache__ behind.
sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import (add_ignore_stdin_option, add_lifetime_option,  # noqa: E402
                         make_log, start_watchdogs, wait_and_exit, write_atomic)

CA_CN = "CommuneWatch Test CA"
OK_BODY = b"CommuneWatch peer OK"
MAX_BIG = 1 << 30  # 1 GiB cap for /big
MAX_SLOW_MS = 120_000
MAX_REDIRECTS = 100


log = make_log("https_peer")


# --------------------------------------------------------------------------- certs

def run_openssl(args, cwd):
    proc = subprocess.run(["openssl"] + args, cwd=cwd, stdin=subprocess.DEVNULL,
                          stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    if proc.returncode != 0:
        raise RuntimeError("openssl %s failed (%d):\n%s%s" % (
            " ".join(args), proc.returncode, proc.stdout, proc.stderr))
    return proc.stdout


def utc_stamp(t):
    """ASN.1 UTCTime as accepted by `openssl ca -startdate/-enddate`."""
    return time.strftime("%y%m%d%H%M%SZ", time.gmtime(t))


SAN = "subjectAltName=DNS:localhost,IP:127.0.0.1,IP:::1"


def generate_certs(d):
    os.makedirs(d, exist_ok=True)
    # CA
    run_openssl(["req", "-x509", "-newkey", "rsa:2048", "-nodes", "-sha256",
                 "-keyout", "ca.key", "-out", "ca.pem", "-days", "3650",
                 "-subj", "/CN=" + CA_CN,
                 "-addext", "basicConstraints=critical,CA:TRUE",
                 "-addext", "keyUsage=critical,keyCertSign,cRLSign",
                 "-addext", "subjectKeyIdentifier=hash"], d)

    ext = os.path.join(d, "server_ext.cnf")
    with open(ext, "w") as f:
        f.write("[v3_server]\n"
                "basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\n"
                "authorityKeyIdentifier=keyid,issuer\n"
                "%s\n" % SAN)

    # Valid server cert: CSR signed with `openssl x509 -req`, ~1 year.
    run_openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256",
                 "-keyout", "server.key", "-out", "server.csr",
                 "-subj", "/CN=localhost"], d)
    run_openssl(["x509", "-req", "-in", "server.csr", "-CA", "ca.pem", "-CAkey", "ca.key",
                 "-CAcreateserial", "-out", "server.pem", "-days", "365", "-sha256",
                 "-extfile", "server_ext.cnf", "-extensions", "v3_server"], d)

    # Expired server cert: `openssl x509` in OpenSSL 3.0 cannot set dates in the
    # past, so use `openssl ca` with explicit -startdate/-enddate and a throwaway
    # minimal CA database.
    cadb = os.path.join(d, "cadb")
    os.makedirs(cadb, exist_ok=True)
    open(os.path.join(cadb, "index.txt"), "w").close()
    with open(os.path.join(cadb, "serial"), "w") as f:
        f.write("%016X\n" % (int(time.time() * 1000) & 0xFFFFFFFFFFFF | 0x1000000000000))
    cnf = os.path.join(d, "ca.cnf")
    with open(cnf, "w") as f:
        f.write("[ca]\n"
                "default_ca=cw\n"
                "[cw]\n"
                "dir=%s\n"
                "database=$dir/index.txt\n"
                "serial=$dir/serial\n"
                "new_certs_dir=$dir\n"
                "default_md=sha256\n"
                "policy=pol\n"
                "unique_subject=no\n"
                "copy_extensions=none\n"
                "[pol]\n"
                "commonName=supplied\n"
                "[v3_server]\n"
                "basicConstraints=critical,CA:FALSE\n"
                "keyUsage=critical,digitalSignature,keyEncipherment\n"
                "extendedKeyUsage=serverAuth\n"
                "subjectKeyIdentifier=hash\n"
                "authorityKeyIdentifier=keyid,issuer\n"
                "%s\n" % (cadb, SAN))
    run_openssl(["req", "-new", "-newkey", "rsa:2048", "-nodes", "-sha256",
                 "-keyout", "expired.key", "-out", "expired.csr",
                 "-subj", "/CN=localhost"], d)
    now = time.time()
    run_openssl(["ca", "-batch", "-config", "ca.cnf", "-notext",
                 "-cert", "ca.pem", "-keyfile", "ca.key",
                 "-in", "expired.csr", "-out", "expired.pem",
                 "-startdate", utc_stamp(now - 40 * 86400),
                 "-enddate", utc_stamp(now - 10 * 86400),
                 "-extensions", "v3_server"], d)

    # Sanity: expired cert really is expired, valid cert really is valid.
    chk = subprocess.run(["openssl", "x509", "-in", "expired.pem", "-noout", "-checkend", "0"],
                         cwd=d, stdin=subprocess.DEVNULL, stdout=subprocess.DEVNULL,
                         stderr=subprocess.DEVNULL)
    if chk.returncode == 0:
        raise RuntimeError("expired.pem is not expired")
    run_openssl(["verify", "-CAfile", "ca.pem", "server.pem"], d)


# --------------------------------------------------------------------------- HTTP

class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    server_version = "CommuneWatchPeer/1.0"
    timeout = 30  # idle keep-alive connections are closed after this

    def log_message(self, fmt, *args):
        log("%s [%s] %s" % (self.server.label, self.address_string(), fmt % args))

    def _send(self, code, body=b"", content_type="text/plain; charset=utf-8", headers=()):
        self.send_response(code)
        no_body = code < 200 or code in (204, 304)
        for k, v in headers:
            self.send_header(k, v)
        if not no_body:
            self.send_header("Content-Type", content_type)
            self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        if not no_body and self.command != "HEAD" and body:
            self.wfile.write(body)

    def _route(self):
        url = urllib.parse.urlsplit(self.path)
        path = url.path
        q = urllib.parse.parse_qs(url.query)

        def qint(name, default):
            try:
                return int(q.get(name, [default])[0])
            except (ValueError, TypeError):
                return default

        if path == "/ok":
            return self._send(200, OK_BODY)
        if path == "/slow":
            ms = max(0, min(qint("ms", 1000), MAX_SLOW_MS))
            time.sleep(ms / 1000.0)
            return self._send(200, b"slow OK")
        if path == "/wrong":
            return self._send(200, b"maintenance page")
        if path.startswith("/status/"):
            try:
                code = int(path[len("/status/"):])
            except ValueError:
                code = 0
            if not 100 <= code <= 599 or code == 101:
                return self._send(400, b"bad status code")
            return self._send(code, ("status %d" % code).encode())
        if path == "/redirect":
            n = max(0, min(qint("n", 1), MAX_REDIRECTS))
            if n <= 0:
                return self._send(200, OK_BODY)
            loc = "/ok" if n == 1 else "/redirect?n=%d" % (n - 1)
            return self._send(302, ("redirect to %s" % loc).encode(),
                              headers=[("Location", loc)])
        if path == "/big":
            n = max(0, min(qint("bytes", 1024), MAX_BIG))
            self.send_response(200)
            self.send_header("Content-Type", "application/octet-stream")
            self.send_header("Content-Length", str(n))
            self.end_headers()
            if self.command != "HEAD":
                chunk = b"x" * 65536
                left = n
                while left > 0:
                    k = min(left, len(chunk))
                    self.wfile.write(chunk[:k])
                    left -= k
            return None
        return self._send(404, b"not found")

    def _handle(self):
        try:
            # Drain any request body so keep-alive stays in sync.
            length = int(self.headers.get("Content-Length") or 0)
            while length > 0:
                got = self.rfile.read(min(length, 65536))
                if not got:
                    break
                length -= len(got)
            self._route()
        except (BrokenPipeError, ConnectionResetError, ssl.SSLError, socket.timeout,
                TimeoutError, OSError) as e:
            log("%s: client went away during %s %s: %r" % (
                self.server.label, self.command, self.path, e))
            self.close_connection = True

    do_GET = _handle
    do_HEAD = _handle
    do_POST = _handle
    do_PUT = _handle
    do_DELETE = _handle
    do_OPTIONS = _handle


class PeerServer(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    request_queue_size = 128

    def __init__(self, label, ssl_ctx, bind="127.0.0.1"):
        self.label = label
        self.ssl_ctx = ssl_ctx
        super().__init__((bind, 0), Handler)

    def finish_request(self, request, client_address):
        # Runs in the per-connection thread, so a slow or broken TLS handshake
        # never blocks the accept loop.
        sock = request
        try:
            if self.ssl_ctx is not None:
                request.settimeout(10)
                sock = self.ssl_ctx.wrap_socket(request, server_side=True)
                sock.settimeout(None)
            self.RequestHandlerClass(sock, client_address, self)
        except Exception as e:  # handshake failures, resets, ...
            log("%s: connection from %s ended: %r" % (self.label, client_address[0], e))
        finally:
            if sock is not request:
                try:
                    sock.close()
                except Exception:
                    pass

    def shutdown_request(self, request):
        try:
            request.shutdown(socket.SHUT_WR)
        except OSError:
            pass
        try:
            request.close()
        except OSError:
            pass

    def handle_error(self, request, client_address):
        log("%s: error from %s: %r" % (self.label, client_address, sys.exc_info()[1]))


def make_ctx(d, cert, key):
    ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
    ctx.load_cert_chain(os.path.join(d, cert), os.path.join(d, key))
    ctx.set_alpn_protocols(["http/1.1"])
    return ctx


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    add_lifetime_option(ap)
    ap.add_argument("--bind", default="127.0.0.1",
                    help="IPv4 address to listen on (tests in a network namespace use 0.0.0.0)")
    add_ignore_stdin_option(ap)
    args = ap.parse_args()

    d = os.path.abspath(args.dir)
    stop = threading.Event()

    # Start the watchdogs first so even a hung cert generation stays bounded.
    start_watchdogs(stop, args, log)

    try:
        generate_certs(d)
        servers = {
            "https": PeerServer("https", make_ctx(d, "server.pem", "server.key"), args.bind),
            "expired": PeerServer("expired", make_ctx(d, "expired.pem", "expired.key"), args.bind),
            "http": PeerServer("http", None, args.bind),
        }
    except Exception as e:
        log("startup failed: %s" % e)
        sys.stderr.flush()
        os._exit(2)

    for s in servers.values():
        threading.Thread(target=s.serve_forever, kwargs={"poll_interval": 0.2},
                         daemon=True).start()

    ports = {k: s.server_address[1] for k, s in servers.items()}
    line = json.dumps(ports)
    write_atomic(os.path.join(d, "ports.json"), line + "\n")
    sys.stdout.write(line + "\n")
    sys.stdout.flush()

    wait_and_exit(stop)


if __name__ == "__main__":
    main()
