from tests.factories import make_municipality


def test_healthz_answers_when_the_database_does(client):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json == {"status": "ok"}


def test_front_page_lists_municipalities(app, client):
    make_municipality(slug="lipnice", name="Lipnice")
    html = client.get("/").get_data(as_text=True)
    assert 'href="/lipnice/"' in html


def test_home_of_unknown_municipality_is_404(client):
    assert client.get("/nowhere/").status_code == 404
