from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext

from company.extensions import db


def test_models_and_migrations_agree(app):
    """The test database is built by the migrations; any model change without one fails here."""
    with app.app_context(), db.engine.connect() as conn:
        context = MigrationContext.configure(
            conn, opts={"compare_type": True, "render_as_batch": True}
        )
        diff = compare_metadata(context, db.metadata)
    assert diff == [], f"models differ from migrations; run `flask db migrate`: {diff}"


def test_every_money_column_is_64_bit_pence(app):
    """PostgreSQL's integer stops at £21,474,836.47; every *_pence column, as built by the
    migrations, is a 64-bit integer (and a total that large is stored and read back)."""
    import sqlalchemy as sa

    with app.app_context():
        inspector = sa.inspect(db.engine)
        money = [
            (table, column["name"], column["type"])
            for table in inspector.get_table_names()
            for column in inspector.get_columns(table)
            if column["name"].endswith("_pence")
        ]
        assert len(money) >= 19
        narrow = [(t, c, str(k)) for t, c, k in money if not isinstance(k, sa.BigInteger)]
        assert narrow == []
        with db.engine.begin() as conn:
            big = 3_000_000_000_00  # £3bn in pence
            conn.execute(
                sa.text(
                    "CREATE TEMPORARY TABLE wide AS SELECT amount_pence FROM payments WHERE 1 = 0"
                )
            )
            conn.execute(sa.text("INSERT INTO wide VALUES (:p)"), {"p": big})
            assert conn.execute(sa.text("SELECT amount_pence FROM wide")).scalar() == big
            conn.execute(sa.text("DROP TABLE wide"))
