"""The official list of UK local authorities (mySociety, MIT licence; see data/ATTRIBUTION.md).

Dated data, not a constant: an authority is current on a day when that day falls between its
start and end dates. Loaded once from the bundled CSV; keyed by ONS GSS code.
"""

import csv
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

CSV = Path(__file__).resolve().parent.parent / "data" / "uk_local_authorities.csv"


@dataclass(frozen=True)
class Authority:
    gss_code: str
    name: str  # official name, e.g. "Adur District Council"
    short_name: str
    nation: str
    region: str
    type_code: str
    type_name: str
    start: date | None
    end: date | None
    replaced_by: str | None
    population: int | None

    def current_on(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day < self.end)


def _date(text: str) -> date | None:
    return date.fromisoformat(text) if text else None


@cache
def _all() -> dict[str, Authority]:
    with CSV.open(newline="", encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    return {
        r["gss-code"]: Authority(
            gss_code=r["gss-code"],
            name=r["official-name"],
            short_name=r["nice-name"],
            nation=r["nation"],
            region=r["region"],
            type_code=r["local-authority-type"],
            type_name=r["local-authority-type-name"],
            start=_date(r["start-date"]),
            end=_date(r["end-date"]),
            replaced_by=r["replaced-by"] or None,
            population=int(Decimal(r["pop-2020"])) if r["pop-2020"] else None,
        )
        for r in rows
        if r["gss-code"]
    }


def get(gss_code: str) -> Authority | None:
    return _all().get((gss_code or "").strip().upper())


def current(on: date) -> list[Authority]:
    """Authorities in existence on `on`, by name."""
    return sorted((a for a in _all().values() if a.current_on(on)), key=lambda a: a.name)
