"""Who may talk to the server: an ASGI middleware in front of every HTTP request and websocket.

The instrument has no login: whoever can reach it can play it, so it must be reached only from
this machine's own page. A web page elsewhere can still make the browser send requests to
``127.0.0.1``; this module refuses them (see "What the server trusts" in the README):

- **Host** (DNS rebinding): the ``Host`` header must name this server -- a loopback name or
  one of ``allowed_hosts`` -- else 421 (HTTP) or a refused handshake (websocket, 403).
- **Origin**: when a browser sends one, it must be exactly ``http://<the Host header>``
  (scheme, host and port), else 403 / refused handshake.
- **Sec-Fetch-Site**: requests a browser marks ``cross-site`` or ``same-site`` are refused (403),
  except a plain navigation to the page itself (a link to the instrument may be followed).
- **State-changing requests** (POST, PUT, PATCH, DELETE) must say ``Content-Type:
  application/json`` (415 otherwise): a cross-site form or ``text/plain`` post cannot, and a
  cross-site JSON post needs a CORS preflight this server never grants. A declared body over
  :data:`MAX_BODY_BYTES` is refused (413) before a byte of it is read.
- **Uploads** (:data:`UPLOAD_PREFIX`, see :mod:`latentdrum.web.uploads`) may also be
  ``application/octet-stream`` (not a type a form can send; it needs the same preflight) and
  up to :data:`MAX_UPLOAD_BYTES`.
"""

from __future__ import annotations

import contextlib
import json
import socket
from collections.abc import Awaitable, Callable, Iterable, MutableMapping
from typing import Any
from urllib.parse import urlsplit

LOOPBACK = frozenset({"127.0.0.1", "localhost", "::1", "localhost.localdomain"})
WILDCARD = frozenset({"0.0.0.0", "::", ""})
MAX_BODY_BYTES = 1_000_000
UPLOAD_PREFIX = "/api/import/"
MAX_UPLOAD_BYTES = 32_000_000
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})

Scope = MutableMapping[str, Any]
ASGIApp = Callable[[Scope, Callable[[], Awaitable[Any]], Callable[[Any], Awaitable[None]]], Awaitable[None]]


def allowed_hosts(bind: str, extra: Iterable[str] = ()) -> frozenset[str]:
    """The host names this server answers to: loopback, ``bind`` (the ``--host`` given) and
    ``extra``; bound to every interface (0.0.0.0, ::), also this machine's own names and addresses."""
    names = set(LOOPBACK) | {h.lower().strip("[]") for h in extra}
    if bind not in WILDCARD:
        names.add(bind.lower().strip("[]"))
        return frozenset(names)
    hostname = socket.gethostname()
    names |= {hostname.lower(), socket.getfqdn().lower()}
    with contextlib.suppress(OSError):
        names |= {str(info[4][0]).lower() for info in socket.getaddrinfo(hostname, None)}
    return frozenset(names)


def host_name(host_header: str) -> str:
    """``"127.0.0.1:8000"`` -> ``"127.0.0.1"``, ``"[::1]:8000"`` -> ``"::1"`` (lower case)."""
    h = host_header.strip().lower()
    if h.startswith("["):
        return h[1 : h.find("]")] if "]" in h else h
    return h.rsplit(":", 1)[0] if h.count(":") == 1 else h


def _origin_matches(origin: str, host_header: str) -> bool:
    try:
        o = urlsplit(origin.strip())
        expected = urlsplit(f"http://{host_header.strip()}")
        return (o.scheme.lower() == "http" and o.hostname == expected.hostname and o.port == expected.port
                and o.path in ("", "/") and not o.query and not o.username)
    except ValueError:
        return False


class Guard:
    """The checks of the module docstring around ``app``, for hosts in ``hosts``."""

    def __init__(self, app: ASGIApp, hosts: Iterable[str]) -> None:
        self.app = app
        self.hosts = frozenset(hosts)

    def refusal(self, scope: Scope) -> tuple[int, str] | None:
        """``(status, reason)`` when the request must be refused, else None."""
        headers = {k.decode("latin-1").lower(): v.decode("latin-1") for k, v in scope.get("headers", [])}
        host = headers.get("host", "")
        if host_name(host) not in self.hosts:
            shown = ", ".join(sorted(self.hosts & LOOPBACK))
            return 421, (f"this server answers to {shown} (and the --host it was given), not {host[:80]!r}; "
                         "open the address latentdrum printed when it started")
        origin = headers.get("origin")
        if origin is not None and not _origin_matches(origin, host):
            return 403, f"requests from other sites are refused (Origin {origin[:80]!r} is not http://{host})"
        site = headers.get("sec-fetch-site")
        navigation = scope["type"] == "http" and scope.get("method") == "GET" and scope.get("path") == "/" \
            and headers.get("sec-fetch-mode") == "navigate"
        if site in ("cross-site", "same-site") and not navigation:
            return 403, f"requests from other sites are refused (Sec-Fetch-Site: {site})"
        if scope["type"] == "http" and scope.get("method") in UNSAFE_METHODS:
            ctype = headers.get("content-type", "").split(";")[0].strip().lower()
            upload = str(scope.get("path", "")).startswith(UPLOAD_PREFIX)
            if ctype != "application/json" and not (upload and ctype == "application/octet-stream"):
                return 415, f"send JSON with Content-Type: application/json (got {ctype or 'none'!r})"
            length = headers.get("content-length")
            limit = MAX_UPLOAD_BYTES if upload else MAX_BODY_BYTES
            if length is not None and (not length.isdigit() or int(length) > limit):
                return 413, f"the request body is too large (the limit is {limit} bytes)"
        return None

    async def __call__(self, scope: Scope, receive: Callable[[], Awaitable[Any]],
                       send: Callable[[Any], Awaitable[None]]) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        refused = self.refusal(scope)
        if refused is None:
            await self.app(scope, receive, send)
        elif scope["type"] == "websocket":
            await send({"type": "websocket.close", "code": 1008, "reason": refused[1][:120]})
        else:
            status, reason = refused
            body = json.dumps({"ok": False, "error": reason}).encode()
            headers = [(b"content-type", b"application/json"), (b"content-length", str(len(body)).encode())]
            await send({"type": "http.response.start", "status": status, "headers": headers})
            await send({"type": "http.response.body", "body": body})
