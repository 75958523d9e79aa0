"""Dates and money read the same whatever the machine's locale (a French server included)."""

import os
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

from tests.helpers import ROOT

SOURCES = Path("/usr/share/i18n/locales/fr_FR")

PROBE = """
import locale, time
from datetime import date, datetime
locale.setlocale(locale.LC_ALL, "")
assert time.strftime("%B", (2026, 4, 1, 0, 0, 0, 0, 91, 0)) == "avril", "locale not in force"
from company import formats
from company import create_app
from billing.money import ProRata
from company.formats import numeric_date
app = create_app("test", {"SQLALCHEMY_DATABASE_URI": "sqlite://"})
with app.app_context():
    page = app.jinja_env.from_string(
        "{{ d | uk_date }}|{{ t | uk_datetime }}|{{ p | money }}|{{ d | month_year }}|{{ d | short_month }}"
    ).render(d=date(2026, 4, 1), t=datetime(2026, 8, 1, 13, 5), p=123450)
print(page)
print(formats.pence_decimal(-123456), numeric_date(date(2026, 4, 1)))
print(ProRata(6, date(2026, 10, 1), date(2027, 3, 1)).explain())
"""


@pytest.fixture(scope="module")
def french_locale(tmp_path_factory):
    if not (SOURCES.exists() and shutil.which("localedef")):
        pytest.skip("Debian's `locales` package is needed to build fr_FR (.ci/run installs it)")
    path = tmp_path_factory.mktemp("locales")
    subprocess.run(
        ["localedef", "-i", "fr_FR", "-f", "UTF-8", str(path / "fr_FR.UTF-8")],
        check=True,
        capture_output=True,
    )
    return path


def test_dates_and_money_ignore_the_locale(french_locale):
    env = {**os.environ, "LOCPATH": str(french_locale), "LC_ALL": "fr_FR.UTF-8"}
    result = subprocess.run(
        [sys.executable, "-c", PROBE], cwd=ROOT, env=env, capture_output=True, text=True
    )
    assert result.returncode == 0, result.stderr
    assert result.stdout.splitlines() == [
        "1 April 2026|1 August 2026 at 2:05pm|£1,234.50|April 2026|Apr",
        "-1234.56 01/04/2026",
        "6 of 12 months, October 2026 to March 2027",
    ]
