"""URL converters that refuse what the database cannot hold, so such a URL is a 404 and never
reaches a query: ids beyond a 64-bit integer, years outside the company's span."""

from werkzeug.routing import IntegerConverter

MAX_ID = 2**63 - 1


class IdConverter(IntegerConverter):
    """`<int:…>`: 0 to 2**63 - 1 (PostgreSQL's bigint, SQLite's integer)."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002 (werkzeug's name)
        kwargs.setdefault("max", MAX_ID)
        super().__init__(map, *args, **kwargs)


class YearConverter(IntegerConverter):
    """`<year:…>`: a four-digit year the company could have business in."""

    def __init__(self, map, *args, **kwargs):  # noqa: A002
        super().__init__(map, fixed_digits=4, min=1990, max=2200)


def register(app) -> None:
    app.url_map.converters["int"] = IdConverter
    app.url_map.converters["year"] = YearConverter


def id_arg(text: str) -> int:
    """For request.args.get(…, type=id_arg) and form ids: an id in range, else ValueError
    (which werkzeug turns into the default)."""
    if not (text or "").isdigit() or len(text) > 19 or int(text) > MAX_ID:
        raise ValueError(f"not an id: {text[:30]!r}")
    return int(text)


def year_arg(text: str) -> int:
    """A year in the same span as `<year:…>`, else ValueError."""
    if not (text or "").isdigit() or len(text) != 4 or not 1990 <= int(text) <= 2200:
        raise ValueError(f"not a year: {text[:30]!r}")
    return int(text)


def page_arg(text: str) -> int:
    """A page number from 1 to 100,000 (past the end shows the last page's emptiness)."""
    if not (text or "").isdigit() or len(text) > 6 or not 1 <= int(text) <= 100_000:
        raise ValueError(f"not a page: {text[:30]!r}")
    return int(text)


def is_id(text: str) -> bool:
    try:
        id_arg(text)
    except ValueError:
        return False
    return True
