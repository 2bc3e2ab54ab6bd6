#!/usr/bin/env python3
"""CommuneWatch test peer: an HTTP receiver that records what it is sent (a webhook, a gateway).

Usage:
    python3 webhook_peer.py --dir DIR [--lifetime SECONDS] [--ignore-stdin]

Listens on 127.0.0.1:PORT (a free port), written to DIR/port when ready.  Every request (POST,
GET, PUT, PATCH) is appended to DIR/received.jsonl as {"method", "path" (with the query), "headers",
"body", "time"} (body as text).
DIR/mode decides the answer, re-read on every request: "ok" (default) → 200 with DIR/reply's
bytes (or {}), "down" → 503, "error" → 500, "error-if:TEXT" → 500 when the path holds TEXT
(one phone of a gateway failing), 200 otherwise,
"reset" → the connection is closed without an answer.  Failed requests are recorded too, with
"answered": the status (0 for reset).
"""

import argparse
import http.server
import json
import os
import socket
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import make_log, write_atomic, add_lifetime_option, add_ignore_stdin_option, start_watchdogs, wait_and_exit

log = make_log("webhook_peer")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    add_lifetime_option(ap)
    add_ignore_stdin_option(ap)
    args = ap.parse_args()
    directory = os.path.abspath(args.dir)
    lock = threading.Lock()

    class Handler(http.server.BaseHTTPRequestHandler):
        def log_message(self, *a):
            pass

        def do_POST(self):
            length = int(self.headers.get("Content-Length") or 0)
            body = self.rfile.read(min(length, 10 << 20)) if length else b""
            try:
                mode = open(os.path.join(directory, "mode")).read().strip()
            except OSError:
                mode = "ok"
            if mode.startswith("error-if:"):
                status = 500 if mode[len("error-if:"):] in self.path else 200
            else:
                status = {"ok": 200, "down": 503, "error": 500}.get(mode, 0)
            record = {"method": self.command, "path": self.path, "headers": dict(self.headers), "body": body.decode("utf-8", "replace"),
                      "time": time.time(), "answered": status}
            with lock:
                with open(os.path.join(directory, "received.jsonl"), "a") as f:
                    f.write(json.dumps(record) + "\n")
            if status == 0:
                self.close_connection = True
                try:
                    self.connection.shutdown(socket.SHUT_RDWR)
                except OSError:
                    pass
                return
            try:
                reply = open(os.path.join(directory, "reply"), "rb").read() if status == 200 else b'{"error":"down"}'
            except OSError:
                reply = b"{}"
            self.send_response(status)
            self.send_header("Content-Type", "application/json")
            self.send_header("Content-Length", str(len(reply)))
            self.end_headers()
            self.wfile.write(reply)

        do_GET = do_POST
        do_PUT = do_POST
        do_PATCH = do_POST

    server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    stop = threading.Event()
    start_watchdogs(stop, args, log)
    write_atomic(os.path.join(directory, "port"), "%d\n" % server.server_address[1])
    wait_and_exit(stop)


if __name__ == "__main__":
    main()
