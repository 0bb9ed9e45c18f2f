"""Access token, security headers and the request log of the local web app."""

from __future__ import annotations

import hashlib
import logging
import secrets
import time
from collections.abc import Awaitable, Callable
from urllib.parse import urlencode

from starlette.requests import Request
from starlette.responses import PlainTextResponse, RedirectResponse, Response

logger = logging.getLogger("autoclear.web")

TOKEN_PARAMETER = "token"

CONTENT_SECURITY_POLICY = (
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; form-action 'self'; base-uri 'none'; object-src 'none'; "
    "frame-ancestors 'none'"
)
# report.html is generated with inline styles and images; it is shown with no script at all.
REPORT_CONTENT_SECURITY_POLICY = (
    "default-src 'none'; style-src 'unsafe-inline'; img-src data:; "
    "frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
)
SECURITY_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "no-referrer",
    "X-Frame-Options": "DENY",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
    "Cache-Control": "no-store",
}


def cookie_name(token: str) -> str:
    """Name the cookie after the token, so two app instances keep separate cookies."""
    return "autoclear_" + hashlib.sha256(token.encode()).hexdigest()[:12]


def new_token() -> str:
    return secrets.token_urlsafe(32)


def make_guard(
    token: str,
) -> Callable[[Request, Callable[[Request], Awaitable[Response]]], Awaitable[Response]]:
    """Build the HTTP middleware that checks the token, sets the headers and logs each request."""
    name = cookie_name(token)

    async def guard(
        request: Request, call_next: Callable[[Request], Awaitable[Response]]
    ) -> Response:
        started = time.monotonic()
        given = request.query_params.get(TOKEN_PARAMETER)
        response: Response
        if given is not None and secrets.compare_digest(given, token):
            # Swap the token in the address for a cookie, so it leaves the address bar and history.
            rest = [(k, v) for k, v in request.query_params.multi_items() if k != TOKEN_PARAMETER]
            target = request.url.path + ("?" + urlencode(rest) if rest else "")
            response = RedirectResponse(target, status_code=303)
            response.set_cookie(
                name, token, httponly=True, samesite="strict", secure=False, path="/"
            )
        elif not secrets.compare_digest(request.cookies.get(name, ""), token):
            response = PlainTextResponse(
                "Forbidden: open the app with the address that 'autoclear serve' printed "
                "(it carries a one-time access token).",
                status_code=403,
            )
        elif request.method not in ("GET", "HEAD") and not _same_origin(request):
            response = PlainTextResponse(
                "Forbidden: this form was sent from another site.", status_code=403
            )
        else:
            response = await call_next(request)
        for header, value in SECURITY_HEADERS.items():
            response.headers.setdefault(header, value)
        response.headers.setdefault("Content-Security-Policy", CONTENT_SECURITY_POLICY)
        route = request.scope.get("route")
        template = getattr(route, "path", "(no route)")
        logger.info(
            "request %s %s status=%d ms=%.0f",
            request.method,
            template,
            response.status_code,
            1000 * (time.monotonic() - started),
        )
        return response

    return guard


def _same_origin(request: Request) -> bool:
    """Tell whether a POST came from this app's own pages.

    Browsers send `Sec-Fetch-Site` (Fetch Metadata) or `Origin` on every form post and fetch,
    so a POST with neither did not come from a page of this app and is rejected.
    Chromium sends `Origin: null` on form posts under `Referrer-Policy: no-referrer`, so the
    Fetch Metadata header decides where it is present: another port on 127.0.0.1 counts as
    "same-site", not "same-origin", and is rejected.
    """
    fetch_site = request.headers.get("sec-fetch-site")
    if fetch_site is not None and fetch_site not in ("same-origin", "none"):
        return False
    origin = request.headers.get("origin")
    if origin is None or origin == "null":
        return fetch_site is not None
    return origin.split("://", 1)[-1] == request.headers.get("host", "")
