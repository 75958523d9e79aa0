"""The accessibility statement says what the 2018 regulations' model statement requires."""

from tests.helpers import text_of


def test_the_statement_has_every_section_of_the_model_statement(client):
    page = text_of(client.get("/accessibility"))
    for required in [
        "This accessibility statement applies to",
        "How accessible this website is",
        "not tagged PDFs",
        "Feedback and contact information",
        "secretary@flatpack.example",
        "Enforcement procedure",
        "Equality and Human Rights Commission",
        "Equality Advisory and Support Service",
        "Compliance status",
        "partially compliant",
        "Non-accessible content",
        "How we tested this website",
        "axe-core",
        "This statement was prepared on 7 December 2026",
    ]:
        assert required in page, required
