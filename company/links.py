"""Links: absolute ones for emails (also written by CLI commands with no request), and the one
check every redirect to a user-supplied target goes through."""

import re
from urllib.parse import urlsplit

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    if has_request_context():
        return current_app.config["BASE_URL"] + url_for(endpoint, **values)
    with current_app.test_request_context():
        return current_app.config["BASE_URL"] + url_for(endpoint, **values)


_CONTROL = re.compile(r"[\x00-\x1f\x7f]")


def safe_next(target: str | None) -> str | None:
    """`target` if it is a path on this site, else None. Refuses what browsers would turn into
    another site (//evil, /\\evil, a tab or newline inside: /\t/evil), any scheme or host,
    and control characters (a CR or LF would otherwise split the Location header)."""
    if not target or len(target) > 2000 or _CONTROL.search(target) or "\\" in target:
        return None
    if not target.startswith("/") or target.startswith("//"):
        return None
    parts = urlsplit(target)
    if parts.scheme or parts.netloc:
        return None
    return target
