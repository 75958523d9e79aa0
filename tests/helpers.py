"""What tests read the way a person would: a page's visible text, a PDF's text; the project root;
and the SQL statements a piece of work runs."""

import io
import re
from contextlib import contextmanager
from pathlib import Path

import sqlalchemy as sa
from pypdf import PdfReader

ROOT = Path(__file__).resolve().parent.parent


def text_of(response) -> str:
    """The visible text of a page, whitespace folded (for assertions on what a person reads)."""
    html = response.get_data(as_text=True)
    html = re.sub(r"<(script|style)\b.*?</\1>", " ", html, flags=re.S)
    return (
        " ".join(re.sub(r"<[^>]+>", " ", html).split()).replace("&#39;", "'").replace("&amp;", "&")
    )


def pdf_text(data: bytes) -> str:
    """All of a PDF's text, whitespace collapsed (pypdf breaks lines where paragraphs wrap)."""
    return " ".join(
        " ".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages).split()
    )


def identity(user) -> dict:
    """What a sensitive action's confirmation page asks for: the password and a fresh code."""
    from tests.factories import PASSWORD, code_for

    fields = {"identity_password": PASSWORD}
    if user.totp_secret:
        fields["identity_code"] = code_for(user)
    return fields


@contextmanager
def statements_counted():
    """The SQL statements run inside the block, in order (for "does not grow with N" tests)."""
    from company.extensions import db

    seen: list[str] = []

    def note(conn, cursor, statement, *args):
        seen.append(statement)

    sa.event.listen(db.engine, "before_cursor_execute", note)
    try:
        yield seen
    finally:
        sa.event.remove(db.engine, "before_cursor_execute", note)
