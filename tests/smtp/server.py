#!/usr/bin/env python3
"""A real SMTP server on loopback for Tessera's send tests (aiosmtpd).

Binds 127.0.0.1 on a free port, prints "READY <port>" on standard output once it accepts
connections, and writes every accepted message to MAILDIR/<n>.eml (the bytes as received, after
SMTP dot-unstuffing) with MAILDIR/<n>.json holding the envelope. Runs until killed.

Options:
  --maildir DIR            where messages go (required)
  --tls-cert PEM --tls-key PEM
                           offer STARTTLS with this certificate (else STARTTLS is not offered)
  --implicit-tls           with --tls-cert: TLS from the first byte (port-465 style) instead
  --auth USER:PASSWORD     require AUTH (PLAIN/LOGIN) with these credentials, only over TLS
  --reject-containing TEXT refuse RCPT TO addresses containing TEXT with 550
"""
import argparse
import asyncio
import json
import os
import ssl
import sys

from aiosmtpd.smtp import SMTP, AuthResult, LoginPassword


class Maildir:
    def __init__(self, folder, reject, implicit_tls):
        self.folder = folder
        self.reject = reject
        self.implicit_tls = implicit_tls
        self.count = 0

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject and self.reject in address:
            return "550 5.1.1 <%s>: mailbox unavailable" % address
        envelope.rcpt_tos.append(address)
        return "250 2.1.5 OK"

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.folder, "%04d" % self.count)
        with open(base + ".eml.tmp", "wb") as f:
            f.write(envelope.original_content)
        with open(base + ".json", "w") as f:
            json.dump(
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    "tls": self.implicit_tls or session.ssl is not None,
                    "authenticated": bool(session.authenticated),
                },
                f,
            )
        os.replace(base + ".eml.tmp", base + ".eml")
        return "250 2.0.0 Accepted as %04d" % self.count


def authenticator_for(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False)

    return check


async def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--maildir", required=True)
    parser.add_argument("--tls-cert")
    parser.add_argument("--tls-key")
    parser.add_argument("--implicit-tls", action="store_true")
    parser.add_argument("--auth")
    parser.add_argument("--reject-containing")
    args = parser.parse_args()
    os.makedirs(args.maildir, exist_ok=True)
    handler = Maildir(args.maildir, args.reject_containing, args.implicit_tls)
    context = None
    if args.tls_cert:
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(args.tls_cert, args.tls_key)
    implicit = context if args.implicit_tls else None
    kwargs = {"tls_context": None if implicit else context, "hostname": "tessera-test-smtp"}
    if args.auth:
        user, password = args.auth.split(":", 1)
        kwargs.update(
            authenticator=authenticator_for(user, password),
            auth_required=True,
            # aiosmtpd only counts STARTTLS as TLS; an implicit-TLS connection is encrypted too.
            auth_require_tls=not args.implicit_tls,
        )
    loop = asyncio.get_running_loop()
    server = await loop.create_server(
        lambda: SMTP(handler, **kwargs), host="127.0.0.1", port=0, ssl=implicit
    )
    port = server.sockets[0].getsockname()[1]
    print("READY %d" % port, flush=True)
    async with server:
        await server.serve_forever()


if __name__ == "__main__":
    try:
        asyncio.run(main())
    except KeyboardInterrupt:
        sys.exit(0)
