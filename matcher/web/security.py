"""Request bounds, security headers and the same-origin rule for writes.

The server is meant for one machine or a trusted network: it binds to loopback by default,
refuses bodies over a limit before reading them, sends a Content-Security-Policy that allows
scripts and styles from itself only, and accepts feedback only from its own pages.
"""

from __future__ import annotations

import base64
import hashlib
import json
import re
from urllib.parse import urlsplit

from fastapi import HTTPException, Request

# The page: scripts and styles from this server only, no inline script, nothing from outside.
PAGE_CSP = ("default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
            "connect-src 'self'; form-action 'self'; frame-ancestors 'none'; base-uri 'none'")
# /docs: Swagger UI (served from this server) is started by one inline script, allowed by its hash.
DOCS_CSP = ("default-src 'none'; script-src 'self' {hashes}; style-src 'self' 'unsafe-inline'; "
            "img-src 'self' data:; connect-src 'self'; frame-ancestors 'none'; base-uri 'none'")
HEADERS = [
    (b"x-content-type-options", b"nosniff"),
    (b"referrer-policy", b"same-origin"),
    (b"x-frame-options", b"DENY"),
]


class BodyTooLarge(HTTPException):
    """Raised while a body streams past its limit; an HTTPException, so FastAPI's body
    parsing passes it on as a 413 instead of turning it into a 400."""

    def __init__(self, limit: int):
        super().__init__(413, f"the request is over the size limit of {limit:,} bytes")


class LimitsMiddleware:
    """Refuses a request body over ``max_body`` bytes with 413 (by its Content-Length when it
    has one, else while it streams) and adds the security headers to every response."""

    def __init__(self, app, max_body: int, max_upload: int, upload_paths: tuple[str, ...]):
        self.app, self.max_body, self.max_upload = app, max_body, max_upload
        self.upload_paths = upload_paths

    async def __call__(self, scope, receive, send):
        if scope["type"] != "http":
            return await self.app(scope, receive, send)
        limit = self.max_upload if scope["path"] in self.upload_paths else self.max_body
        headers = dict(scope.get("headers") or [])
        length = headers.get(b"content-length")
        if length is not None and (not length.isdigit() or int(length) > limit):
            return await _too_large(send, limit)
        received = 0
        started = False

        async def bounded_receive():
            nonlocal received
            message = await receive()
            if message["type"] == "http.request":
                received += len(message.get("body", b""))
                if received > limit:
                    raise BodyTooLarge(limit)
            return message

        async def send_with_headers(message):
            nonlocal started
            if message["type"] == "http.response.start":
                started = True
                existing = {k.lower() for k, _ in message.get("headers", [])}
                extra = [(k, v) for k, v in HEADERS if k not in existing]
                if b"content-security-policy" not in existing:
                    extra.append((b"content-security-policy", PAGE_CSP.encode()))
                message = {**message, "headers": [*message.get("headers", []), *extra]}
            await send(message)

        try:
            await self.app(scope, bounded_receive, send_with_headers)
        except BodyTooLarge:
            if not started:
                await _too_large(send, limit)


async def _too_large(send, limit: int) -> None:
    body = json.dumps({"detail": f"the request is over the size limit of {limit:,} bytes"}).encode()
    await send({"type": "http.response.start", "status": 413, "headers": [
        (b"content-type", b"application/json"), (b"content-length", str(len(body)).encode()),
        (b"content-security-policy", PAGE_CSP.encode()), *HEADERS]})
    await send({"type": "http.response.body", "body": body})


def require_same_origin(request: Request) -> None:
    """A write must come from this server's own page (or from a non-browser client).

    Browsers send ``Sec-Fetch-Site`` and ``Origin`` on a cross-site POST; scripts and curl send
    neither, and cannot be used to forge a user's request. JSON is required as well, which a
    cross-site HTML form cannot send."""
    site = request.headers.get("sec-fetch-site")
    if site is not None and site not in ("same-origin", "none"):
        raise HTTPException(403, f"cross-site request refused (Sec-Fetch-Site: {site})")
    origin = request.headers.get("origin")
    if origin is not None:
        host = request.headers.get("host", "")
        parts = urlsplit(origin)
        if origin == "null" or parts.netloc != host or parts.scheme != request.url.scheme:
            raise HTTPException(403, "cross-origin request refused: feedback is accepted from "
                                     "this server's own page only")
    content_type = request.headers.get("content-type", "").split(";")[0].strip().lower()
    if content_type != "application/json":
        raise HTTPException(415, "send the judgement as application/json")


_INLINE_SCRIPT = re.compile(r"<script>(.*?)</script>", re.S)


def docs_csp(html: str) -> str:
    """The /docs policy, allowing exactly the inline scripts of ``html`` by their hashes."""
    hashes = " ".join(
        "'sha256-" + base64.b64encode(hashlib.sha256(s.encode()).digest()).decode() + "'"
        for s in _INLINE_SCRIPT.findall(html))
    return DOCS_CSP.format(hashes=hashes)


LOOPBACK = ("127.0.0.1", "localhost", "::1", "[::1]")


def allowed_hosts(host: str) -> list[str] | None:
    """Host names the server answers to. On loopback only the loopback names, so a page on
    another site cannot reach it through DNS rebinding; elsewhere any (the user chose)."""
    if host in LOOPBACK:
        return ["127.0.0.1", "localhost", "::1", "[::1]"]
    return None
