"""Pages shaped like `db.paginate`'s (for the pagination macro) for lists that are not one
query's rows: a report's page already cut in SQL with its own count (aged debt)."""

from flask_sqlalchemy.pagination import Pagination


class _GivenPage(Pagination):
    def _query_items(self) -> list:
        return self._query_args["items"]

    def _query_count(self) -> int:
        return self._query_args["total"]


def given_page(items: list, total: int, page: int, per_page: int) -> Pagination:
    """Page `page` (from 1), holding `items`, of `total` rows in all."""
    return _GivenPage(page=page, per_page=per_page, error_out=False, items=items, total=total)
