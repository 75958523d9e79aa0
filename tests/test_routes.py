"""Every URL the app serves, with its methods, is in `route-list.json`: none disappears unnoticed.

Regenerate deliberately with `python -m tests.test_routes > tests/route-list.json` after adding or
removing a route, and read the diff.
"""

import json
from pathlib import Path

from company import create_app

SNAPSHOT = Path(__file__).with_name("route-list.json")
IGNORED_METHODS = {"HEAD", "OPTIONS"}


def routes(app) -> list[dict]:
    rows = [
        {"rule": rule.rule, "methods": sorted(set(rule.methods) - IGNORED_METHODS)}
        for rule in app.url_map.iter_rules()
        if rule.endpoint != "static" and not rule.endpoint.endswith(".static")
    ]
    return sorted(rows, key=lambda row: (row["rule"], row["methods"]))


def test_routes_match_the_snapshot(app):
    assert routes(app) == json.loads(SNAPSHOT.read_text())


if __name__ == "__main__":
    print(json.dumps(routes(create_app("test")), indent=1))
