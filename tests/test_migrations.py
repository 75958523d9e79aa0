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
