"""The company's own particulars: one row, changed by the company secretary, audited."""

import sqlalchemy as sa
from sqlalchemy.orm import Mapped, mapped_column

from company.extensions import db

DEFAULT_STATEMENT = (
    "{company} is a company controlled by local authorities within the meaning of Part V of the "
    "Local Government and Housing Act 1989. The controlling authorities are: {members}."
)


class CompanySettings(db.Model):
    __tablename__ = "company_settings"
    __table_args__ = (
        sa.CheckConstraint("id = 1", name="single_row"),
        sa.CheckConstraint("payment_terms_days BETWEEN 0 AND 120", name="payment_terms"),
        sa.CheckConstraint("year_start_month BETWEEN 1 AND 12", name="year_start_month"),
    )

    id: Mapped[int] = mapped_column(primary_key=True, default=1)
    legal_name: Mapped[str] = mapped_column(sa.String(160), default="Flatpack Councils Ltd")
    company_number: Mapped[str | None] = mapped_column(sa.String(8))
    registered_office: Mapped[str | None] = mapped_column(sa.Text)
    registered_in: Mapped[str] = mapped_column(sa.String(40), default="England and Wales")
    vat_number: Mapped[str | None] = mapped_column(sa.String(14))  # compact, e.g. 980780684
    bank_account_name: Mapped[str | None] = mapped_column(sa.String(120))
    bank_sort_code: Mapped[str | None] = mapped_column(sa.String(6))
    bank_account_number: Mapped[str | None] = mapped_column(sa.String(8))
    invoice_prefix: Mapped[str] = mapped_column(sa.String(10), default="INV")
    credit_note_prefix: Mapped[str] = mapped_column(sa.String(10), default="CN")
    payment_terms_days: Mapped[int] = mapped_column(default=30)
    year_start_month: Mapped[int] = mapped_column(default=4)
    control_statement: Mapped[str] = mapped_column(sa.Text, default=DEFAULT_STATEMENT)
