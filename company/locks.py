"""Row locks for every move of money or state: lock the row that owns the balance, then read
what is left, re-check, write, commit. A competitor waits at the lock and then sees the result.

PostgreSQL: SELECT … FOR UPDATE, held to the end of the transaction. SQLite has no row locks:
a no-op UPDATE of the row takes the database's single write lock (waiting up to busy_timeout),
which serialises writers the same way. Either way the session's objects are expired after the
lock is taken, so everything read afterwards is the committed state, not what was loaded before.
"""

import sqlalchemy as sa

from company.extensions import db


def _take(model, ids: list[int]) -> None:
    """Take the locks on `ids` (sorted, so two callers never deadlock) for this transaction."""
    session = db.session
    session.flush()  # nothing pending is lost by the expiry that follows
    table = model.__table__
    if session.get_bind().dialect.name == "sqlite":  # one write takes the database's lock
        session.execute(sa.update(table).where(table.c.id == ids[0]).values(id=table.c.id))
    else:
        session.execute(
            sa.select(table.c.id).where(table.c.id.in_(ids)).order_by(table.c.id).with_for_update()
        )


def lock(model, row_id: int, *, expire: bool = True):
    """The row of `model` with id `row_id`, locked for this transaction (None if there is none).
    `expire=False` keeps the session's objects (the caller reads only by query afterwards)."""
    _take(model, [row_id])
    if expire:
        db.session.expire_all()
    return db.session.get(model, row_id)


def lock_many(model, row_ids) -> None:
    """Lock several rows of `model` at once."""
    ids = sorted(set(row_ids))
    if ids:
        _take(model, ids)
        db.session.expire_all()
