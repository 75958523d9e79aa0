"""Absolute links for emails, which are also written by CLI commands with no request."""

from flask import current_app, has_request_context, url_for


def external_url(endpoint: str, **values) -> str:
    if has_request_context():
        return current_app.config["BASE_URL"] + url_for(endpoint, **values)
    with current_app.test_request_context():
        return current_app.config["BASE_URL"] + url_for(endpoint, **values)
