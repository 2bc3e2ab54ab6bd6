#!/usr/bin/env python3
"""CommuneWatch test peer: an SMTP sink (aiosmtpd) that records every message it accepts.

Usage (in the venv scripts/setup-peers makes):
    /opt/communewatch/peers-venv/bin/python smtp_peer.py --dir DIR [--port N] [--starttls]
        [--auth USER:PASSWORD] [--lifetime SECONDS] [--ignore-stdin]

Listens on 127.0.0.1 (port N, or a free one), written to DIR/port when ready.  Each accepted
message is appended to DIR/messages.jsonl as {"mail_from", "rcpt_tos", "data" (raw, as text),
"subject" and "body" (decoded by Python's email package), "headers" (raw header values),
"tls", "login", "time"}.  RCPT TO an address whose local part starts with "refused" is answered
"550 5.1.1 <ADDR>: Recipient address rejected: no such user here".
--implicit-tls: TLS from the first byte (smtps://), same certificates; AUTH offered at once.
--starttls: the server offers STARTTLS (certificates of a test CA in DIR, CA in DIR/ca.pem) and
refuses mail before it.  --auth: AUTH PLAIN/LOGIN required (after STARTTLS with --starttls).
"""

import argparse
import asyncio
import email
import email.policy
import json
import os
import ssl
import sys
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peer_common import make_log, write_atomic, add_lifetime_option, add_ignore_stdin_option, start_watchdogs, wait_and_exit
from https_peer import generate_certs

from aiosmtpd.smtp import SMTP, AuthResult

log = make_log("smtp_peer")


class Recorder:
    def __init__(self, directory):
        self.directory = directory
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if address.split("@")[0].startswith("refused"):
            return "550 5.1.1 <%s>: Recipient address rejected: no such user here" % address
        envelope.rcpt_tos.append(address)
        return "250 OK"

    async def handle_DATA(self, server, session, envelope):
        raw = envelope.original_content or envelope.content
        message = email.message_from_bytes(raw, policy=email.policy.default)
        body = message.get_body(preferencelist=("plain",))
        record = {
            "mail_from": envelope.mail_from,
            "rcpt_tos": list(envelope.rcpt_tos),
            "data": raw.decode("utf-8", "replace"),
            "subject": str(message["subject"] or ""),
            "body": body.get_content() if body is not None else "",
            "headers": {k: v for k, v in message.raw_items()},
            # STARTTLS sets session.ssl; an smtps:// connection is TLS from its transport.
            "tls": session.ssl is not None or server.transport.get_extra_info("sslcontext") is not None,
            "login": session.auth_data.decode() if isinstance(session.auth_data, bytes) else None,
            "time": time.time(),
        }
        with self.lock:
            with open(os.path.join(self.directory, "messages.jsonl"), "a") as f:
                f.write(json.dumps(record) + "\n")
        return "250 Message accepted for delivery"


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--dir", required=True)
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--starttls", action="store_true")
    ap.add_argument("--implicit-tls", action="store_true", help="TLS from the first byte (smtps://)")
    ap.add_argument("--auth", default=None, help="USER:PASSWORD required before MAIL")
    add_lifetime_option(ap)
    add_ignore_stdin_option(ap)
    args = ap.parse_args()
    directory = os.path.abspath(args.dir)
    stop = threading.Event()
    start_watchdogs(stop, args, log)

    options = {"hostname": "smtp-peer.test", "decode_data": False}
    context = None
    if args.starttls or args.implicit_tls:
        generate_certs(directory)
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(os.path.join(directory, "server.pem"), os.path.join(directory, "server.key"))
    if args.starttls:
        options.update(tls_context=context, require_starttls=True)
    if args.auth:
        user, password = args.auth.split(":", 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, handled=False, auth_data=auth_data.login if ok else None)

        options.update(authenticator=authenticator, auth_required=True, auth_require_tls=args.starttls)

    handler = Recorder(directory)
    loop = asyncio.new_event_loop()

    async def start():
        return await loop.create_server(lambda: SMTP(handler, loop=loop, **options), host="127.0.0.1", port=args.port,
                                        ssl=context if args.implicit_tls else None)

    server = loop.run_until_complete(start())
    threading.Thread(target=loop.run_forever, daemon=True).start()
    write_atomic(os.path.join(directory, "port"), "%d\n" % server.sockets[0].getsockname()[1])
    wait_and_exit(stop)


if __name__ == "__main__":
    main()
