"""A request id on every response (`X-Request-Id`) and every log line of that request, so a
person reporting a problem and the logs can be matched. A proxy's id is kept if it is sane."""

import logging
import re
import uuid

from flask import g, has_request_context, request

SANE = re.compile(r"[A-Za-z0-9._-]{8,64}")
FORMAT = "%(asctime)s %(levelname)s [%(request_id)s] %(name)s: %(message)s"


class RequestIdFilter(logging.Filter):
    def filter(self, record: logging.LogRecord) -> bool:
        record.request_id = g.get("request_id", "-") if has_request_context() else "-"
        return True


def _start() -> None:
    given = request.headers.get("X-Request-Id", "")
    g.request_id = given if SANE.fullmatch(given) else uuid.uuid4().hex


def _stamp(response):
    response.headers["X-Request-Id"] = g.get("request_id", "-")
    return response


def register(app) -> None:
    app.before_request(_start)
    app.after_request(_stamp)
    handler = logging.StreamHandler()
    handler.setFormatter(logging.Formatter(FORMAT))
    handler.addFilter(RequestIdFilter())
    app.logger.handlers[:] = [handler]
