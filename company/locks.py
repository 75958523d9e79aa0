"""Row locks for every move of money or state: lock the row that owns the balance, then read
what is left, re-check, write, commit. A competitor waits at the lock and then sees the result.

PostgreSQL: SELECT … FOR UPDATE, held to the end of the transaction. SQLite has no row locks:
a no-op UPDATE of the row takes the database's single write lock (waiting up to busy_timeout),
which serialises writers the same way. Either way the session's objects are expired after the
lock is taken, so everything read afterwards is the committed state, not what was loaded before.
"""

import sqlalchemy as sa

from company.extensions import db


def lock(model, row_id: int, *, expire: bool = True):
    """The row of `model` with id `row_id`, locked for this transaction (None if there is none)."""
    session = db.session
    session.flush()  # nothing pending is lost by the expiry below
    table = model.__table__
    if session.get_bind().dialect.name == "sqlite":
        session.execute(sa.update(table).where(table.c.id == row_id).values(id=table.c.id))
    else:
        session.execute(sa.select(table.c.id).where(table.c.id == row_id).with_for_update())
    if expire:
        session.expire_all()
    return session.get(model, row_id)


def lock_many(model, row_ids) -> None:
    """Lock several rows of `model` at once, in id order (so two callers never deadlock)."""
    ids = sorted(set(row_ids))
    if not ids:
        return
    session = db.session
    session.flush()
    table = model.__table__
    if session.get_bind().dialect.name == "sqlite":  # one write takes the database's lock
        session.execute(sa.update(table).where(table.c.id == ids[0]).values(id=table.c.id))
    else:
        session.execute(
            sa.select(table.c.id).where(table.c.id.in_(ids)).order_by(table.c.id).with_for_update()
        )
    session.expire_all()
