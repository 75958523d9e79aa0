"""The one CSV writer every export uses: a cell of text that a spreadsheet would read as a
formula (starting =, +, -, @, tab or carriage return) is written with a leading apostrophe,
as OWASP advises, so opening an export never runs what a user typed. Numbers, including
negative amounts such as -12.50, stay numbers."""

import csv
import io
import re

TRIGGERS = ("=", "+", "-", "@", "\t", "\r")
NUMBER = re.compile(r"-?\d+(?:\.\d+)?")


def safe_cell(value):
    if isinstance(value, str) and value.startswith(TRIGGERS) and not NUMBER.fullmatch(value):
        return "'" + value
    return value


class Writer:
    """csv.writer's writerow/writerows, every cell made safe."""

    def __init__(self, out):
        self._writer = csv.writer(out)

    def writerow(self, row) -> None:
        self._writer.writerow([safe_cell(v) for v in row])

    def writerows(self, rows) -> None:
        for row in rows:
            self.writerow(row)


def writer(out) -> Writer:
    return Writer(out)


def text(header: list[str], rows) -> str:
    """A whole CSV file as text: the header, then the rows."""
    out = io.StringIO()
    w = Writer(out)
    w.writerow(header)
    w.writerows(rows)
    return out.getvalue()
