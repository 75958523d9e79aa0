from tests.helpers import text_of


def test_healthz_answers_with_database_and_queue(client):
    r = client.get("/healthz")
    assert r.status_code == 200
    assert r.json["status"] == "ok" and r.json["database"] == "ok"
    assert r.json["jobs"]["queue"] == "ok"


def test_home_page_invites_councils_to_apply(client):
    r = client.get("/")
    assert r.status_code == 200
    assert "Apply to join" in text_of(r)
