"""Bank statements: reading CSV exports, adding each line once, matching payments to invoices,
and finance's review of the rest."""

import io
import json
from datetime import date

import pytest
import sqlalchemy as sa

from billing import ledger
from billing.bank import matching as bank_matching
from billing.bank import review as bank_review
from billing.bank import services as bank_services
from billing.bank import statement as bank_statement
from billing.bank.models import BankImport, BankLine, BankMapping
from billing.invoices import services as invoices
from billing.invoices.models import Status
from billing.payments.models import Payment
from company.audit import AuditEvent
from company.auth.roles import Role
from company.extensions import db
from tests import factories
from tests.helpers import text_of

AMOUNT = bank_statement.Columns("Date", "Description", "Amount")
SEPARATE = bank_statement.Columns("Date", "Description", paid_in="Paid in", paid_out="Paid out")


@pytest.fixture
def finance(ctx):
    factories.company_settings()
    return factories.user(Role.FINANCE)


@pytest.fixture
def adur(finance):
    return factories.member("E07000223")


@pytest.fixture
def brighton(finance):
    return factories.member("E06000043")


def issued(member, pence, day=date(2026, 4, 1)):
    draft = factories.draft_invoice(member, lines=[("Contribution", 1, pence, "Z")])
    return invoices.issue(draft, issue_date=day, send=False)


def statement(*rows, header="Date,Description,Amount") -> bytes:
    return ("\r\n".join([header, *rows]) + "\r\n").encode()


def load(data: bytes, actor, columns=AMOUNT) -> bank_services.Summary:
    return bank_services.summary(
        bank_services.import_statement(data, "statement.csv", columns, actor)
    )


def lines() -> list[BankLine]:
    return db.session.scalars(sa.select(BankLine).order_by(BankLine.id)).all()


def events(action: str) -> list[AuditEvent]:
    return db.session.scalars(sa.select(AuditEvent).where(AuditEvent.action == action)).all()


# Reading a statement


def test_one_amount_column_with_both_date_forms_and_uk_amounts(finance):
    data = statement(
        '01/04/2026,ADUR DC REMITTANCE,"1,234.50"',
        '2026-04-02,BRIGHTON AND HOVE,"£1,234.50"',
        "03/04/2026,CARD PAYMENT STATIONERY,-12.00",
        "3 Apr 2026,INTEREST,0.07",
    )
    result = load(data, finance)
    assert (result.read, result.added, result.money_out) == (4, 3, 1)
    assert [(x.booked_on, x.description, x.amount_pence) for x in lines()] == [
        (date(2026, 4, 1), "ADUR DC REMITTANCE", 123450),
        (date(2026, 4, 2), "BRIGHTON AND HOVE", 123450),
        (date(2026, 4, 3), "INTEREST", 7),
    ]


@pytest.mark.parametrize(
    "raw, pence",
    [
        ("1,234.50", 123450),
        ("£1,234.50", 123450),
        ("-12.00", -1200),
        ("-£12.00", -1200),
        ("(12.00)", -1200),
        ("12.00-", -1200),
        ("12.5", 1250),
        ("+7", 700),
        ("", None),
    ],
)
def test_amounts_are_read_as_people_write_them(raw, pence):
    assert bank_statement.parse_amount(raw) == pence


def test_separate_paid_in_and_paid_out_columns_and_the_mapping_is_remembered(finance):
    data = statement(
        "01/04/2026,BGC,ADUR DC,,600.00,10600.00",
        "02/04/2026,DD,ELECTRICITY,150.00,,10450.00",
        '02/04/2026,BGC,LAMBETH,,"2,400.00",12850.00',
        header="Date,Type,Description,Paid out,Paid in,Balance",
    )
    result = load(data, finance, SEPARATE)
    assert (result.read, result.added, result.money_out) == (3, 2, 1)
    assert [(x.description, x.amount_pence) for x in lines()] == [
        ("ADUR DC", 60000),
        ("LAMBETH", 240000),
    ]
    assert bank_statement.mapping() == SEPARATE
    row = db.session.get(BankMapping, 1)
    assert row.amount_column is None and row.paid_in_column == "Paid in"
    assert events("bank.mapping_changed")


def test_a_column_heading_with_other_case_or_spaces_is_found(finance):
    load(statement("01/04/2026,ADUR,5.00", header=" date , DESCRIPTION ,Amount"), finance)
    assert len(lines()) == 1


def test_the_same_file_twice_adds_nothing_and_identical_lines_are_both_kept(finance):
    data = statement(
        "01/04/2026,ADUR DC,100.00",
        "01/04/2026,ADUR DC,100.00",  # two genuine, identical payments on one day
        "02/04/2026,ADUR DC,100.00",
    )
    first = load(data, finance)
    assert (first.added, first.already) == (3, 0)
    again = load(data, finance)
    assert (again.read, again.added, again.already) == (3, 0, 3)
    assert len(lines()) == 3
    assert db.session.scalar(sa.select(sa.func.count(BankImport.id))) == 2


def test_an_overlapping_file_adds_only_the_new_lines(finance):
    load(statement("01/04/2026,ADUR DC,100.00", "02/04/2026,LAMBETH,250.00"), finance)
    result = load(
        statement(
            "02/04/2026,Lambeth,250.00",  # the same line, cased differently by another export
            "03/04/2026,CARDIFF,75.00",
            "04/04/2026,REFUND TO SUPPLIER,-20.00",
        ),
        finance,
    )
    assert (result.read, result.added, result.already, result.money_out) == (3, 1, 1, 1)
    assert [x.description for x in lines()] == ["ADUR DC", "LAMBETH", "CARDIFF"]


@pytest.mark.parametrize(
    "data, message",
    [
        (
            statement(
                "01/04/2026,A,1.00",
                "02/04/2026,B,2.00",
                "03/04/2026,C,3.00",
                "04/04/2026,D,4.00",
                "05/04/2026,E,5.00",
                "31/02/2026,F,6.00",
            ),
            "Row 7: the date '31/02/2026' is not a real date",
        ),
        (statement("01/04/2026,A,1.00", "02/04/2026,B,abc"), "Row 3: amount 'abc' is not a number"),
        (
            statement("01/04/2026,A,99999999999999999999.00"),
            "Row 2: amount '99999999999999999999.00' is more than £10,000,000.00",
        ),
        (statement("tomorrow,A,1.00"), "Row 2: 'tomorrow' is not a date, like 01/04/2026"),
        (statement("01/04/2026,A,"), "Row 2: there is no amount"),
        (statement("01/04/2099,A,1.00"), "Row 2: the date '01/04/2099' is in the future"),
        (
            statement("01/04/2026,A,1.00", header="Date,Description,Value"),
            "The file has no column called 'Amount'. Its columns are: 'Date', 'Description', 'Value'",
        ),
        (b"", "The selected file is empty"),
        (b"\r\n\r\n", "The selected file is empty"),
        (b"PK\x03\x04\x14\x00", "The selected file is a spreadsheet"),
        (b"Date,Description,Amount\r\n", "The selected file has no transactions in it"),
    ],
)
def test_a_malformed_file_names_the_problem_and_nothing_is_imported(finance, data, message):
    with pytest.raises(bank_statement.BankError) as caught:
        bank_services.import_statement(data, "statement.csv", AMOUNT, finance)
    assert any(p.startswith(message) for p in caught.value.problems), caught.value.problems
    db.session.rollback()
    assert lines() == [] and db.session.scalars(sa.select(BankImport)).all() == []
    assert db.session.get(BankMapping, 1) is None  # a failed import remembers no mapping


def test_every_bad_row_is_listed_and_good_rows_are_not_saved(finance):
    data = statement("01/04/2026,GOOD,1.00", "01/13/2026,BAD,2.00", "02/04/2026,BAD,£x")
    with pytest.raises(bank_statement.BankError) as caught:
        load(data, finance)
    assert caught.value.problems == [
        "Row 3: the date '01/13/2026' is not a real date",
        "Row 4: amount '£x' is not a number",
    ]
    assert lines() == []


def test_a_windows_encoded_file_is_read(finance):
    data = "Date,Description,Amount\r\n01/04/2026,CAFÉ FUND £ REFUND,5.00\r\n".encode("cp1252")
    load(data, finance)
    assert lines()[0].description == "CAFÉ FUND £ REFUND"


def test_a_byte_order_mark_does_not_hide_the_first_column(finance):
    load(b"\xef\xbb\xbf" + statement("01/04/2026,ADUR,5.00"), finance)
    assert len(lines()) == 1


# Automatic matching


def test_a_line_naming_an_invoice_and_paying_what_it_owes_is_matched(finance, adur):
    inv = issued(adur, 60000)
    other = issued(adur, 45000)
    written = inv.number.lower().replace("-", " ")  # 'inv 2026 00001', as typed at the bank
    result = load(statement(f"20/04/2026,ADUR DC {written},600.00"), finance)
    assert (result.matched, result.to_review) == (1, 0)
    assert inv.status == Status.PAID and other.status == Status.ISSUED
    line = lines()[0]
    assert (line.state, line.member_id) == ("matched", adur.id)
    payment = db.session.scalar(sa.select(Payment).where(Payment.bank_line_id == line.id))
    assert (payment.member_id, payment.amount_pence, payment.method) == (
        adur.id,
        60000,
        "bank_transfer",
    )
    assert payment.received_on == date(2026, 4, 20) and payment.reference.startswith("ADUR DC")
    assert [(a.invoice_id, a.amount_pence) for a in payment.allocations] == [(inv.id, 60000)]
    assert events("bank.imported") and events("payment.recorded")


def test_a_set_of_one_members_invoices_paid_together_is_matched(finance, adur):
    old = issued(adur, 30000, date(2026, 4, 1))
    new = issued(adur, 50000, date(2026, 5, 1))
    result = load(statement(f"20/05/2026,ADUR {new.number} {old.number},800.00"), finance)
    assert result.matched == 1
    assert old.status == new.status == Status.PAID
    payment = db.session.scalars(sa.select(Payment)).one()
    assert [(a.invoice_id, a.amount_pence) for a in payment.allocations] == [
        (old.id, 30000),
        (new.id, 50000),
    ]


def test_a_line_not_paying_exactly_what_is_owed_waits_for_review(finance, adur):
    inv = issued(adur, 60000)
    result = load(statement(f"20/04/2026,ADUR {inv.number},500.00"), finance)
    assert (result.matched, result.to_review) == (0, 1)
    assert inv.status == Status.ISSUED and db.session.scalars(sa.select(Payment)).all() == []
    review = bank_review.suggest(lines())[0]
    assert review.suggestions[0].invoice == inv
    assert review.suggestions[0].reason == f"The reference mentions {inv.number}"


def test_an_invoice_already_paid_is_not_paid_twice(finance, adur):
    inv = issued(adur, 60000)
    result = load(
        statement(
            f"20/04/2026,ADUR {inv.number},600.00", f"21/04/2026,ADUR AGAIN {inv.number},600.00"
        ),
        finance,
    )
    assert (result.matched, result.to_review) == (1, 1)
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 1
    (named,) = bank_review.suggest([lines()[1]])[0].suggestions  # the invoice owes nothing now
    assert named.invoice is None and named.member == adur and named.owed_pence == 0


def test_partly_paid_and_credited_invoices_are_matched_on_what_they_still_owe(finance, adur):
    from billing.payments import services as payments

    inv = issued(adur, 100000)
    payments.record_payment(adur, 25000, date(2026, 4, 10), "cheque", "chq", None)
    assert ledger.owed(inv) == 75000
    load(statement(f"20/04/2026,{inv.number},750.00"), finance)
    assert inv.status == Status.PAID and ledger.owed(inv) == 0


def test_matching_many_lines_commits_in_chunks_and_counts_them_all(finance, adur, monkeypatch):
    monkeypatch.setattr(bank_statement, "CHUNK", 2)
    invs = [issued(adur, 1000 * (i + 1)) for i in range(5)]
    rows = [f"2{i}/04/2026,ADUR {inv.number},{10 * (i + 1)}.00" for i, inv in enumerate(invs)]
    result = load(statement(*rows, "25/04/2026,SOMEONE ELSE,3.00"), finance)
    assert (result.read, result.matched, result.to_review) == (6, 5, 1)
    assert all(inv.status == Status.PAID for inv in invs)
    assert sum(json.loads(e.changes)["matched"] for e in events("bank.matched")) == 5


# Review: suggestions and decisions


def test_a_line_is_offered_with_invoices_of_its_amount_and_members_it_names(
    finance, adur, brighton
):
    adurs = issued(adur, 60000)
    issued(brighton, 70000)
    load(statement("20/04/2026,BRIGHTON & HOVE CC REMITTANCE,600.00"), finance)
    review = bank_review.suggest(lines())[0]
    reasons = [s.reason for s in review.suggestions]
    assert reasons == [
        "The reference names Brighton and Hove City Council",
        f"{adurs.number} owes the same amount",
    ]
    assert review.suggestions[0].member == brighton and review.suggestions[0].invoice is None


def test_a_distinctive_word_of_a_name_finds_the_member_and_its_invoice_of_that_amount(
    finance, adur, brighton
):
    adurs = issued(adur, 60000)
    load(statement("20/04/2026,FROM ADUR DC,600.00"), finance)
    review = bank_review.suggest(lines())[0]
    assert review.suggestions[0].invoice == adurs
    assert review.suggestions[0].reason == (
        f"Adur District Council is named and {adurs.number} owes the same amount"
    )
    assert [s.member for s in review.suggestions] == [adur, adur]


def test_confirming_a_suggestion_records_the_payment_and_marks_the_invoice_paid(finance, adur):
    inv = issued(adur, 60000)
    load(statement("20/04/2026,ADUR DC,600.00"), finance)
    line = lines()[0]
    payment = bank_services.confirm_invoice(line, inv, finance)
    assert inv.status == Status.PAID and payment.amount_pence == 60000
    assert line.state == "matched" and line.member_id == adur.id
    assert bank_review.to_review_count() == 0
    changes = json.loads(events("bank.line_matched")[0].changes)
    assert changes["invoices"] == inv.number and changes["how"] == "confirmed"
    with pytest.raises(bank_statement.BankError, match="already been matched"):
        bank_services.confirm_invoice(line, issued(adur, 60000), finance)


def test_allocating_by_hand_pays_chosen_invoices_and_keeps_the_rest_as_credit(finance, adur):
    from billing.payments import services as payments

    old = issued(adur, 30000, date(2026, 4, 1))
    new = issued(adur, 50000, date(2026, 5, 1))
    load(statement("20/05/2026,COUNCIL PAYMENT,600.00"), finance)
    payment = bank_services.allocate(lines()[0], adur, finance, [new])
    assert new.status == Status.PAID and old.status == Status.ISSUED
    assert [(a.invoice_id, a.amount_pence) for a in payment.allocations] == [(new.id, 50000)]
    assert payments.member_credit(adur.id) == 10000


def test_allocating_by_hand_without_choosing_pays_the_oldest_first(finance, adur):
    old = issued(adur, 30000, date(2026, 4, 1))
    new = issued(adur, 50000, date(2026, 5, 1))
    load(statement("20/05/2026,COUNCIL PAYMENT,400.00"), finance)
    bank_services.allocate(lines()[0], adur, finance)
    assert old.status == Status.PAID and new.status == Status.PART_PAID


def test_ignoring_a_line_takes_it_out_of_review_with_the_reason(finance):
    load(statement("20/04/2026,HMRC VAT REPAYMENT,1500.00"), finance)
    line = lines()[0]
    with pytest.raises(bank_statement.BankError, match="Enter why"):
        bank_services.ignore(line, "  ", finance)
    bank_services.ignore(line, "VAT repayment, not a member", finance)
    assert line.state == "ignored" and bank_review.to_review_count() == 0
    assert db.session.scalars(sa.select(Payment)).all() == []
    assert bank_services.ignored_reason(line) == "VAT repayment, not a member"


# The pages


def _upload(client, data: bytes, **fields):
    form = {
        "file": (io.BytesIO(data), "april.csv"),
        "date_column": "Date",
        "description_column": "Description",
        "layout": "one",
        "amount_column": "Amount",
        **fields,
    }
    return client.post("/billing/bank/", data=form, content_type="multipart/form-data")


def test_uploading_a_statement_shows_what_happened(finance, adur, login_as):
    client = login_as(finance)
    inv = issued(adur, 60000)
    page = client.get("/billing/bank/")
    assert page.status_code == 200
    assert 'value="Date"' in page.get_data(as_text=True)  # the remembered mapping, pre-filled
    r = _upload(
        client,
        statement(
            f"20/04/2026,ADUR {inv.number},600.00",
            "21/04/2026,UNKNOWN PAYER,99.00",
            "21/04/2026,BANK CHARGES,-5.00",
        ),
    )
    assert r.status_code == 302
    text = text_of(client.get(r.headers["Location"]))
    assert "Bank statement imported" in text and "april.csv" in text
    assert "Lines read 3 lines" in text and "Added 2 lines" in text
    assert "Money out 1 line (skipped)" in text
    assert "Matched automatically 1 line" in text and "To review 1 line" in text
    assert inv.status == Status.PAID
    again = _upload(client, statement(f"20/04/2026,ADUR {inv.number},600.00"))
    text = text_of(client.get(again.headers["Location"]))
    assert "Added 0 lines" in text and "Already imported 1 line (skipped)" in text


def test_a_new_mapping_is_saved_with_the_import_and_offered_next_time(finance, login_as):
    client = login_as(finance)
    data = statement("01/04/2026,BGC,ADUR,,5.00", header="Posted,Type,Narrative,Debit,Credit")
    r = _upload(
        client,
        data,
        date_column="Posted",
        description_column="Narrative",
        layout="separate",
        amount_column="",
        paid_in_column="Credit",
        paid_out_column="Debit",
    )
    assert r.status_code == 302
    html = client.get("/billing/bank/").get_data(as_text=True)
    assert 'value="Posted"' in html and 'value="Narrative"' in html and 'value="Credit"' in html
    assert 'value="separate" checked' in html


def test_a_malformed_upload_says_which_row_and_imports_nothing(finance, login_as):
    client = login_as(finance)
    r = _upload(client, statement("01/04/2026,A,1.00", "31/02/2026,B,2.00"))
    assert r.status_code == 400
    text = text_of(r)
    assert text.startswith("Error: Bank statements")
    assert "There is a problem" in text and "nothing from it has been saved" in text
    assert text.count("Row 3: the date '31/02/2026' is not a real date") == 2  # summary and field
    assert lines() == []


def test_the_upload_form_says_what_is_missing(finance, login_as):
    client = login_as(finance)
    r = client.post(
        "/billing/bank/",
        data={
            "date_column": "Date",
            "description_column": "",
            "layout": "one",
            "amount_column": "",
        },
        content_type="multipart/form-data",
    )
    assert r.status_code == 400
    text = text_of(r)
    assert "Select a CSV file" in text
    assert "Enter the name of the description column" in text
    assert "Enter the name of the amount column" in text


def test_reviewing_and_confirming_a_line_through_the_pages(finance, adur, login_as):
    client = login_as(finance)
    inv = issued(adur, 60000)
    load(statement("20/04/2026,ADUR DC REMITTANCE,600.00"), finance)
    line = lines()[0]
    text = text_of(client.get("/billing/bank/review"))
    assert "£600.00 on 20 April 2026" in text and "ADUR DC REMITTANCE" in text
    assert f"Adur District Council is named and {inv.number} owes the same amount" in text
    r = client.post(f"/billing/bank/lines/{line.id}/confirm", data={"invoice_id": str(inv.id)})
    assert r.status_code == 302 and r.headers["Location"].endswith("/billing/bank/review")
    text = text_of(client.get(r.headers["Location"]))
    assert f"£600.00 from Adur District Council recorded against {inv.number}" in text
    assert "There are no bank lines to review" in text
    assert inv.status == Status.PAID
    again = client.post(f"/billing/bank/lines/{line.id}/confirm", data={"invoice_id": str(inv.id)})
    assert "This line has already been matched" in text_of(client.get(again.headers["Location"]))


def test_a_confirmation_without_its_token_is_refused(finance, adur, login_as):
    client = login_as(finance)
    inv = issued(adur, 60000)
    load(statement("20/04/2026,ADUR DC,600.00"), finance)
    line = lines()[0]
    r = client.post(
        f"/billing/bank/lines/{line.id}/confirm", data={"invoice_id": str(inv.id)}, csrf=False
    )
    assert r.status_code in (302, 400)
    assert inv.status == Status.ISSUED and lines()[0].state == "unmatched"


def test_allocating_and_ignoring_through_the_line_page(finance, adur, brighton, login_as):
    client = login_as(finance)
    old = issued(adur, 30000, date(2026, 4, 1))
    issued(adur, 50000, date(2026, 5, 1))
    load(statement("20/05/2026,BACS 1234,300.00", "21/05/2026,HMRC,45.00"), finance)
    pay, refund = lines()
    page = text_of(client.get(f"/billing/bank/lines/{pay.id}?member_id={adur.id}"))
    assert f"{old.number}, due 1 May 2026: owes £300.00" in page
    r = client.post(f"/billing/bank/lines/{pay.id}/allocate", data={"member_id": ""})
    assert r.status_code == 400 and "Select the member council" in text_of(r)
    r = client.post(
        f"/billing/bank/lines/{pay.id}/allocate",
        data={"member_id": str(adur.id), "invoice_ids": [str(old.id)]},
    )
    assert r.status_code == 302
    assert old.status == Status.PAID
    r = client.post(f"/billing/bank/lines/{refund.id}/ignore", data={"reason": ""})
    assert r.status_code == 400 and "Enter why this line is not a member's payment" in text_of(r)
    r = client.post(f"/billing/bank/lines/{refund.id}/ignore", data={"reason": "VAT repayment"})
    assert "Line of £45.00 ignored" in text_of(client.get(r.headers["Location"]))
    assert bank_review.to_review_count() == 0
    assert "Ignored: VAT repayment." in text_of(client.get(f"/billing/bank/lines/{refund.id}"))


@pytest.mark.parametrize("role", [Role.DIRECTOR, Role.COUNCIL_ADMIN])
def test_only_finance_and_admins_reach_bank_statements(ctx, client, login_as, role):
    member = factories.member() if role.is_council else None
    login_as(factories.user(role, member=member))
    assert client.get("/billing/bank/").status_code == 403
    assert client.get("/billing/bank/review").status_code == 403


def test_payments_pages_link_to_each_other(app, finance, login_as):
    client = login_as(finance)
    text = text_of(client.get("/billing/bank/"))
    assert "Payments Bank statements" in text
    assert ("Credit control" in text) == ("credit_control.index" in app.view_functions)
    assert "Bank statements" in text_of(client.get("/billing/payments"))


def test_a_reference_naming_two_invoices_owing_the_same_is_left_for_a_person(finance, adur):
    one, two = issued(adur, 60000), issued(adur, 60000)
    result = load(statement(f"20/04/2026,ADUR {one.number} {two.number},600.00"), finance)
    assert (result.matched, result.to_review) == (0, 1)
    assert one.status == two.status == Status.ISSUED
    assert [s.invoice for s in bank_review.suggest(lines())[0].suggestions][:2] == [one, two]


def test_a_payment_refused_while_matching_leaves_only_its_line_for_review(
    finance, adur, monkeypatch
):
    from billing.payments import services as payments

    invs = [issued(adur, 1000 * (i + 1)) for i in range(4)]
    real = bank_matching.record_payment

    def refuse_the_third(member, amount, *args, **kwargs):
        if amount == 3000:  # as if someone had paid that invoice a moment before
            raise payments.PaymentError("INV has only £0.00 left to pay")
        return real(member, amount, *args, **kwargs)

    monkeypatch.setattr(bank_matching, "record_payment", refuse_the_third)
    rows = [f"2{i}/04/2026,ADUR {inv.number},{10 * (i + 1)}.00" for i, inv in enumerate(invs)]
    result = load(statement(*rows), finance)
    assert (result.matched, result.to_review) == (3, 1)
    assert [inv.status for inv in invs] == [Status.PAID, Status.PAID, Status.ISSUED, Status.PAID]
    assert [x.state for x in lines()] == ["matched", "matched", "unmatched", "matched"]
    assert db.session.scalar(sa.select(sa.func.count(Payment.id))) == 3


def test_a_member_page_shows_a_line_matched_by_hand(finance, adur, client, login_as):
    """The member's page lists its history, hand-matched bank lines included (their audit
    values are lists of invoice numbers)."""
    invoice = issued(adur, 30000, date(2026, 4, 1))
    load(statement("20/05/2026,COUNCIL PAYMENT,360.00"), finance)
    bank_services.allocate(lines()[0], adur, finance, [invoice])
    for role in (Role.ADMIN, Role.FINANCE):
        login_as(factories.user(role))
        for url in (f"/admin/members/{adur.id}", f"/billing/members/{adur.id}/statement"):
            r = client.get(url)
            assert r.status_code in (200, 403), (url, r.status_code)
