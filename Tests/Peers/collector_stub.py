#!/usr/bin/env python3
"""Stand-in collector for the agent's upload tests (the real collector is a later issue).

  collector_stub.py --dir DIR --token TOKEN [--bind ADDR] [--lifetime S] [--ignore-stdin]

Serves POST /api/v1/ingest on 127.0.0.1 or ADDR (ephemeral port, written to DIR/port). How it answers
is read from DIR/mode before each request (default "accept"):
  accept    verify "Authorization: Bearer TOKEN", decode the CWB2 body (400 if malformed), learn
            its series definitions, 409 if it names a series id no batch of its catalog defined,
            else store the body once per CW-Batch id in DIR/batches/ID, reply 200
            {"batch": ID, "stored": 0|1}
  forget    as accept, but first forget every catalog (a collector restored from an old backup)
With --tls-dir it serves HTTPS, and two more modes fail the TLS handshake itself:
  tlsexpired  present an expired certificate   tlsgarbage  answer the ClientHello in plain text
  refuse    503 with Retry-After: 1          error500  500
  toolarge  413                              unauth    401
  garbage   200 with an HTML page (no acknowledgement)
  slow      200 status and headers, then one byte every 3 s (a slow loris)
  reset     read part of the body, then reset the connection
GET /api/v1/config serves DIR/remote.toml (the province's probe list) with an ETag, 304 when
unchanged. POST /api/v1/enroll accepts --enroll-token once and replies 201 with the agent id and secret
of --token. Every upload request is logged as a JSON line in DIR/requests.jsonl:
{"mode", "batch", "bytes", "path" (the CW-Path header), "client" (the source address), "time"}.
Exits on stdin EOF or after --lifetime.
"""
import argparse, hashlib, http.server, json, os, socket, socketserver, ssl, struct, sys, threading, time, zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.dont_write_bytecode = True
from peer_common import (add_ignore_stdin_option, add_lifetime_option,  # noqa: E402
                         make_log, start_watchdogs, write_atomic)
import cwb  # noqa: E402

log = make_log("collector_stub")
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def reply(self, status, body, headers=()):
        data = body.encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for k, v in headers:
            self.send_header(k, v)
        self.end_headers()
        self.wfile.write(data)

    def do_GET(self):
        """GET /api/v1/config: DIR/remote.toml with an ETag; 304 when If-None-Match matches."""
        if self.path != "/api/v1/config":
            return self.reply(404, '{"error": "no such endpoint"}')
        if self.headers.get("Authorization") != "Bearer " + self.server.token:
            return self.reply(401, '{"error": "bad credentials"}')
        try:
            data = open(os.path.join(self.server.dir, "remote.toml"), "rb").read()
        except OSError:
            return self.reply(404, '{"error": "no configuration for this site"}')
        etag = '"%s"' % hashlib.sha256(data).hexdigest()[:16]
        with lock:
            with open(os.path.join(self.server.dir, "config-requests.jsonl"), "a") as f:
                f.write(json.dumps({"if_none_match": self.headers.get("If-None-Match"), "etag": etag}) + "\n")
        if self.headers.get("If-None-Match") == etag:
            self.send_response(304)
            self.send_header("ETag", etag)
            self.send_header("Content-Length", "0")
            self.end_headers()
            return
        self.send_response(200)
        self.send_header("Content-Type", "application/toml")
        self.send_header("ETag", etag)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def enroll(self, length):
        try:
            request = json.loads(self.rfile.read(length) or b"{}")
        except ValueError:
            return self.reply(400, '{"error": "the body is not JSON"}')
        with lock:
            spent = os.path.join(self.server.dir, "enroll-spent")
            if request.get("token") != self.server.enroll_token or os.path.exists(spent):
                return self.reply(401, '{"error": "unknown, expired or already used token"}')
            open(spent, "w").write(request.get("hostname", ""))
        # The stub hands out the upload token it checks: AGENT_ID:SECRET.
        agent_id, secret = self.server.token.split(":", 1)
        self.reply(201, json.dumps({"agent_id": agent_id, "site": "QNG-TEST", "secret": secret}))

    def do_POST(self):
        d = self.server.dir
        if self.path == "/api/v1/enroll":
            return self.enroll(int(self.headers.get("Content-Length", "0")))
        mode = read_mode(d)
        length = int(self.headers.get("Content-Length", "0"))
        batch = self.headers.get("CW-Batch", "")
        log_request(d, mode, batch, length, self.headers.get("CW-Path", ""), self.client_address[0])
        if mode == "reset":
            self.rfile.read(min(length, 10))
            # SO_LINGER 0: close with a reset, mid-body.
            self.connection.setsockopt(socket.SOL_SOCKET, socket.SO_LINGER, struct.pack("ii", 1, 0))
            self.connection.close()
            self.close_connection = True
            return
        body = self.rfile.read(length)
        if self.path != "/api/v1/ingest":
            return self.reply(404, '{"error": "no such endpoint"}')
        if mode == "refuse":
            return self.reply(503, '{"error": "busy"}', [("Retry-After", "1")])
        if mode == "error500":
            return self.reply(500, '{"error": "internal"}')
        if mode == "toolarge":
            return self.reply(413, '{"error": "batch too large"}')
        if mode == "unauth":
            return self.reply(401, '{"error": "unknown agent"}')
        if mode == "garbage":
            page = "<html><body>Proxy error</body></html>"
            self.send_response(200)
            self.send_header("Content-Type", "text/html")
            self.send_header("Content-Length", str(len(page)))
            self.end_headers()
            self.wfile.write(page.encode())
            return
        if mode == "slow":
            self.send_response(200)
            self.send_header("Content-Length", "100")
            self.end_headers()
            for _ in range(20):
                try:
                    self.wfile.write(b" ")
                    self.wfile.flush()
                except OSError:
                    return
                time.sleep(3)
            return
        if self.headers.get("Authorization") != "Bearer " + self.server.token:
            return self.reply(401, '{"error": "bad credentials"}')
        if not batch or len(batch) != 32:
            return self.reply(400, '{"error": "missing CW-Batch"}')
        target = os.path.join(d, "batches", batch)
        stored = 0
        with lock:
            if mode == "forget":
                self.server.catalogs.clear()
            if not os.path.exists(target):
                try:
                    decoded = cwb.decode(inflate(body, 64 << 20))
                except (ValueError, zlib.error) as e:
                    return self.reply(400, json.dumps({"error": "malformed batch: %s" % e}))
                known = self.server.catalogs.setdefault(decoded["catalog"], {})
                known.update(decoded["definitions"])
                unknown = [sid for sid, _ in decoded["series"] if sid not in known]
                if unknown:
                    return self.reply(409, json.dumps({"error": "unknown series", "catalog": str(decoded["catalog"]),
                                                       "series": unknown[:20]}))
                write_atomic_bytes(target, body)
                stored = 1
        self.reply(200, json.dumps({"batch": batch, "stored": stored}))


def inflate(body, limit):
    d = zlib.decompressobj()
    out = d.decompress(body, limit)
    if d.unconsumed_tail:
        raise ValueError("inflates past %d bytes" % limit)
    return out


def write_atomic_bytes(path, data):
    tmp = path + ".tmp"
    with open(tmp, "wb") as f:
        f.write(data)
    os.replace(tmp, path)


def read_mode(d):
    try:
        return open(os.path.join(d, "mode")).read().strip() or "accept"
    except OSError:
        return "accept"


def log_request(d, mode, batch, length, path, client):
    with lock:
        with open(os.path.join(d, "requests.jsonl"), "a") as f:
            f.write(json.dumps({"mode": mode, "batch": batch, "bytes": length, "path": path, "client": client,
                                "time": time.time()}) + "\n")


class Server(socketserver.ThreadingMixIn, http.server.HTTPServer):
    daemon_threads = True
    allow_reuse_address = True
    tls = None  # (valid context, expired context) with --tls-dir

    def get_request(self):
        """With TLS, the certificate is chosen per connection by the mode: tlsexpired serves the
        expired one, tlsgarbage answers the ClientHello in plain text and hangs up."""
        sock, addr = super().get_request()
        if not self.tls:
            return sock, addr
        mode = read_mode(self.dir)
        if mode in ("tlsexpired", "tlsgarbage"):
            log_request(self.dir, mode, "", 0, "", addr[0])
        if mode == "tlsgarbage":
            try:
                sock.sendall(b"HTTP/1.0 400 this is not TLS\r\n\r\n")
            finally:
                sock.close()
            raise OSError("answered TLS with plain text")
        context = self.tls[1] if mode == "tlsexpired" else self.tls[0]
        # The handshake runs in the handler's thread, so a stalled client cannot block accept().
        return context.wrap_socket(sock, server_side=True, do_handshake_on_connect=False), addr


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--token", required=True, help="AGENT_ID:SECRET the uploads must carry")
    ap.add_argument("--bind", default="127.0.0.1", help="address to listen on (a test namespace's address)")
    ap.add_argument("--tls-dir", help="serve HTTPS with DIR/server.pem+key (DIR/expired.pem+key in mode tlsexpired)")
    ap.add_argument("--enroll-token", default="ONE-TIME-TOKEN", help="the one-time site token /api/v1/enroll accepts once")
    add_lifetime_option(ap)
    add_ignore_stdin_option(ap)
    args = ap.parse_args()
    os.makedirs(os.path.join(args.dir, "batches"), exist_ok=True)
    stop = threading.Event()
    start_watchdogs(stop, args, log)
    server = Server((args.bind, 0), Handler)
    server.dir, server.token, server.enroll_token = args.dir, args.token, args.enroll_token
    server.catalogs = {}  # catalog id -> {series id: (metric, labels)}
    if args.tls_dir:
        def context(name):
            c = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
            c.load_cert_chain(os.path.join(args.tls_dir, name + ".pem"), os.path.join(args.tls_dir, name + ".key"))
            return c
        server.tls = (context("server"), context("expired"))
    threading.Thread(target=server.serve_forever, daemon=True).start()
    write_atomic(os.path.join(args.dir, "port"), "%d\n" % server.server_address[1])
    print(server.server_address[1], flush=True)
    stop.wait()
    server.shutdown()


if __name__ == "__main__":
    main()
