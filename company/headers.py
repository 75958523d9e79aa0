"""Security headers on every response: a strict Content-Security-Policy (scripts only from this
site, plus a per-request nonce for GOV.UK Frontend's one inline line), no framing, no sniffing,
no referrer beyond this site, HSTS over HTTPS, and no caching of signed-in pages (invoices and
board papers must not linger in a shared computer's cache).

A view that needs another origin (the card page loads Stripe.js) says so with `allow()`, so the
policy everywhere else stays closed.
"""

import secrets
from urllib.parse import urlsplit

from flask import g, request
from flask_login import current_user

BASE_POLICY = {
    "default-src": ["'self'"],
    "script-src": ["'self'"],
    "style-src": ["'self'"],
    "img-src": ["'self'", "data:"],
    "font-src": ["'self'"],
    "connect-src": ["'self'"],
    "frame-src": ["'none'"],
    "object-src": ["'none'"],
    "base-uri": ["'none'"],
    "form-action": ["'self'"],
    "frame-ancestors": ["'none'"],
}

FIXED = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "same-origin",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Permissions-Policy": "camera=(), microphone=(), geolocation=(), interest-cohort=()",
}


def nonce() -> str:
    """This request's script nonce (templates: `csp_nonce()`)."""
    if "csp_nonce" not in g:
        g.csp_nonce = secrets.token_urlsafe(18)
    return g.csp_nonce


def origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc}"


def allow(**sources: list[str]) -> None:
    """Let this response use more sources, e.g. allow(script_src=[...], frame_src=[...])."""
    extra = g.setdefault("csp_extra", {})
    for directive, values in sources.items():
        extra.setdefault(directive.replace("_", "-"), []).extend(values)


def policy() -> str:
    directives = {k: list(v) for k, v in BASE_POLICY.items()}
    if "csp_nonce" in g:
        directives["script-src"].append(f"'nonce-{g.csp_nonce}'")
    for directive, values in g.get("csp_extra", {}).items():
        current = [v for v in directives.get(directive, []) if v != "'none'"]
        directives[directive] = current + [v for v in values if v not in current]
    return "; ".join(f"{k} {' '.join(v)}" for k, v in directives.items())


def add_headers(response):
    response.headers["Content-Security-Policy"] = policy()
    for name, value in FIXED.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers["Strict-Transport-Security"] = "max-age=31536000; includeSubDomains"
    if request.endpoint != "static" and getattr(current_user, "is_authenticated", False):
        response.headers["Cache-Control"] = "no-store"
    return response


def register(app) -> None:
    app.after_request(add_headers)
    app.jinja_env.globals["csp_nonce"] = nonce
