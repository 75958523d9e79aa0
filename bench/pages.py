"""Staff pages with every current UK council as a member: time per page and queries per page.

Prints one line per page: requests/s over N renders and the number of SQL statements one render
runs (it must not grow with the number of members: no N+1). Run: `make bench`.
"""

import statistics
import sys
import tempfile
import time
from datetime import date
from pathlib import Path

import sqlalchemy as sa

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from company import create_app  # noqa: E402
from company.auth import services as auth_services  # noqa: E402
from company.auth.roles import Role  # noqa: E402
from company.extensions import db  # noqa: E402
from company.members import authorities  # noqa: E402
from company.members.models import Member  # noqa: E402

RENDERS = 30


def build(app) -> int:
    from flask_migrate import upgrade

    with app.app_context():
        upgrade(directory=str(Path(__file__).resolve().parent.parent / "migrations"))
        councils = authorities.current(date.today())
        for i, a in enumerate(councils):
            m = Member(
                name=a.name,
                gss_code=a.gss_code,
                body_type=a.type_name,
                region=a.region,
                nation=a.nation,
                address=f"{a.name}\nTown Hall",
                contact_name="Pat",
                contact_email=f"c{i}@example.com",
                approved_on=date(2024, 1, 1),
                approval_resolution=f"BR-{i}",
                joined_on=date(2024, 4, 1),
                agreement_signed_on=date(2024, 2, 1),
                invoice_address="AP",
                finance_email=f"f{i}@example.com",
                po_required=False,
                founding=i % 3 == 0,
            )
            db.session.add(m)
            db.session.flush()
            auth_services.create_user(
                f"u{i}@example.com",
                "User",
                Role.COUNCIL_ADMIN,
                "bench password 1",
                member=m,
                actor="bench",
            )
        admin = auth_services.create_user(
            "admin@example.com", "Admin", Role.ADMIN, "bench password 1", actor="bench"
        )
        db.session.commit()
        return admin.id, len(councils)


def main() -> None:
    tmp = Path(tempfile.mkdtemp())
    app = create_app(
        "test",
        {"SQLALCHEMY_DATABASE_URI": f"sqlite:///{tmp / 'bench.db'}", "WTF_CSRF_ENABLED": False},
    )
    admin_id, members = build(app)
    client = app.test_client()
    with client.session_transaction() as sess:
        sess["_user_id"] = str(admin_id)
    statements = []
    with app.app_context():
        sa.event.listen(db.engine, "before_cursor_execute", lambda *a: statements.append(1))
    print(f"{members} members, {RENDERS} renders each")
    for path in [
        "/admin/members",
        "/register-of-members",
        "/register-of-members.csv",
        "/admin/users",
        "/dashboard",
        f"/admin/members/{members // 2}",
    ]:
        statements.clear()
        assert client.get(path).status_code == 200, path
        per_render = len(statements)
        times = []
        for _ in range(RENDERS):
            start = time.perf_counter()
            client.get(path)
            times.append(time.perf_counter() - start)
        median = statistics.median(times)
        print(
            f"{path:32} {1 / median:8.1f} req/s  median {median * 1000:6.1f} ms  {per_render:3d} SQL statements"
        )


if __name__ == "__main__":
    main()
