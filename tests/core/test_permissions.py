"""Every admin page against every role, and tenant isolation."""

from __future__ import annotations

import pytest
from sqlalchemy import select

from participation.core import permissions
from participation.core.models import Role, RoleGrant
from participation.extensions import db
from tests.conftest import Auth, csrf_token
from tests.factories import make_municipality, make_user

ADMIN_PAGES = ["/{slug}/admin/", "/{slug}/admin/settings", "/{slug}/admin/roles"]
PLATFORM_PAGES = ["/admin/municipalities"]

# who -> expected status of each page (the municipality's pages, then the platform's)
EXPECTED = {
    "anonymous": ([302, 302, 302], [302]),
    "resident": ([403, 403, 403], [403]),
    "reviewer": ([200, 403, 403], [403]),
    "moderator": ([200, 403, 403], [403]),
    "coordinator": ([200, 403, 403], [403]),
    "admin": ([200, 200, 200], [403]),
    "platform_admin": ([200, 200, 200], [200]),
    "admin_elsewhere": ([403, 403, 403], [403]),
}


def person(who: str, town, elsewhere):
    if who == "anonymous":
        return None
    if who == "platform_admin":
        return make_user(platform_admin=True)
    if who == "admin_elsewhere":
        return make_user(municipality=elsewhere, roles=(Role.ADMIN,))
    return make_user(municipality=town, roles=(Role(who),))


@pytest.mark.parametrize("who", sorted(EXPECTED))
def test_admin_pages_by_role(app, client, who):
    town = make_municipality(slug="lipnice")
    elsewhere = make_municipality(slug="jinde")
    user = person(who, town, elsewhere)
    if user is not None:
        Auth(client).login(user.email)
    town_expected, platform_expected = EXPECTED[who]
    for page, expected in zip(ADMIN_PAGES, town_expected, strict=True):
        url = page.format(slug="lipnice")
        response = client.get(url)
        assert response.status_code == expected, (who, url)
        if expected == 302:
            assert response.headers["Location"].startswith("/account/login?next=")
    for url, expected in zip(PLATFORM_PAGES, platform_expected, strict=True):
        assert client.get(url).status_code == expected, (who, url)


@pytest.mark.parametrize(
    "check, allowed",
    [
        (permissions.can_administer, {Role.ADMIN}),
        (permissions.can_manage_roles, {Role.ADMIN}),
        (
            permissions.can_view_administration,
            {Role.ADMIN, Role.COORDINATOR, Role.MODERATOR, Role.REVIEWER},
        ),
    ],
)
def test_named_permissions_by_role(app, check, allowed):
    town = make_municipality()
    other = make_municipality()
    for role in Role:
        user = make_user(municipality=town, roles=(role,))
        assert check(user, town) is (role in allowed), (check.__name__, role)
        assert check(user, other) is False, (check.__name__, role, "other town")
    assert check(None, town) is False
    assert check(make_user(platform_admin=True), town) is True


def test_admin_grants_and_removes_a_role(client):
    town = make_municipality(slug="lipnice")
    admin = make_user(municipality=town, roles=(Role.ADMIN,))
    make_user("karel@example.test", name="Karel")
    Auth(client).login(admin.email)
    token = csrf_token(client, "/lipnice/admin/roles")
    response = client.post(
        "/lipnice/admin/roles",
        data={"email": "karel@example.test", "role": "coordinator", "csrf_token": token},
        follow_redirects=True,
    )
    assert "Karel is now Coordinator." in response.get_data(as_text=True)
    grant = db.session.scalar(select(RoleGrant).where(RoleGrant.role == Role.COORDINATOR))
    assert grant.user.email == "karel@example.test" and grant.municipality_id == town.id

    response = client.post(
        f"/lipnice/admin/roles/{grant.id}/remove",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "The role was removed." in response.get_data(as_text=True)
    assert db.session.scalar(select(RoleGrant).where(RoleGrant.id == grant.id)) is None


def test_granting_to_an_unknown_email_keeps_the_form(client):
    town = make_municipality(slug="lipnice")
    admin = make_user(municipality=town, roles=(Role.ADMIN,))
    Auth(client).login(admin.email)
    token = csrf_token(client, "/lipnice/admin/roles")
    response = client.post(
        "/lipnice/admin/roles",
        data={"email": "nobody@example.test", "role": "moderator", "csrf_token": token},
    )
    html = response.get_data(as_text=True)
    assert "No account uses this email" in html
    assert 'value="nobody@example.test"' in html
    assert '<option selected value="moderator">' in html or 'value="moderator" selected' in html


def test_the_last_admin_cannot_be_removed(client):
    town = make_municipality(slug="lipnice")
    admin = make_user(municipality=town, roles=(Role.ADMIN,))
    grant = admin.roles[0]
    Auth(client).login(admin.email)
    token = csrf_token(client, "/lipnice/admin/roles")
    response = client.post(
        f"/lipnice/admin/roles/{grant.id}/remove",
        data={"csrf_token": token},
        follow_redirects=True,
    )
    assert "at least one administrator" in response.get_data(as_text=True)
    assert db.session.get(RoleGrant, grant.id) is not None


def test_an_admin_of_one_town_gets_nothing_of_another(client):
    town = make_municipality(slug="lipnice")
    other = make_municipality(slug="jinde")
    admin = make_user(municipality=town, roles=(Role.ADMIN, Role.COORDINATOR))
    victim = make_user(municipality=other, roles=(Role.ADMIN, Role.MODERATOR))
    other_grant = next(g for g in victim.roles if g.role == Role.MODERATOR)
    Auth(client).login(admin.email)
    token = csrf_token(client, "/lipnice/admin/roles")
    for url in ["/jinde/admin/", "/jinde/admin/roles", "/jinde/admin/settings"]:
        assert client.get(url).status_code == 403, url
    # Through another town's URL: refused.
    response = client.post(
        f"/jinde/admin/roles/{other_grant.id}/remove", data={"csrf_token": token}
    )
    assert response.status_code == 403
    # Through our own town's URL with another town's object: not found.
    response = client.post(
        f"/lipnice/admin/roles/{other_grant.id}/remove", data={"csrf_token": token}
    )
    assert response.status_code == 404
    assert db.session.get(RoleGrant, other_grant.id) is not None
    response = client.post(
        "/jinde/admin/roles",
        data={"email": admin.email, "role": "admin", "csrf_token": token},
    )
    assert response.status_code == 403
    assert Role.ADMIN not in admin.roles_in(other)


def test_admin_changes_the_settings(client):
    town = make_municipality(slug="lipnice", name="Lipnice")
    admin = make_user(municipality=town, roles=(Role.ADMIN,))
    Auth(client).login(admin.email)
    token = csrf_token(client, "/lipnice/admin/settings")
    data = {
        "name": "Lipnice nad Sázavou",
        "country": "CZ",
        "default_language": "cs",
        "timezone": "Europe/Prague",
        "currency": "CZK",
        "contact_email": "urad@lipnice.cz",
        "csrf_token": token,
    }
    assert client.post("/lipnice/admin/settings", data=data).status_code == 302
    db.session.refresh(town)
    assert town.name == "Lipnice nad Sázavou" and town.contact_email == "urad@lipnice.cz"
    bad = client.post("/lipnice/admin/settings", data=dict(data, timezone="Mars/Olympus"))
    html = bad.get_data(as_text=True)
    assert "Choose a time zone" in html and 'value="Mars/Olympus"' in html


def test_platform_admin_creates_a_municipality(client):
    admin = make_user(platform_admin=True)
    Auth(client).login(admin.email)
    token = csrf_token(client, "/admin/municipalities")
    data = {
        "slug": "krakow-test",
        "name": "Kraków",
        "country": "PL",
        "default_language": "pl",
        "timezone": "Europe/Warsaw",
        "currency": "PLN",
        "csrf_token": token,
    }
    response = client.post("/admin/municipalities", data=data)
    assert response.headers["Location"] == "/krakow-test/admin/"
    assert client.get("/krakow-test/").status_code == 200
    again = client.post("/admin/municipalities", data=data)
    assert "Another municipality uses this address name." in again.get_data(as_text=True)
    reserved = client.post("/admin/municipalities", data=dict(data, slug="account"))
    assert "reserved" in reserved.get_data(as_text=True)


def _png(size=(64, 32), exif_gps=False) -> bytes:
    from io import BytesIO

    from PIL import Image

    buffer = BytesIO()
    image = Image.new("RGB", size, (11, 79, 138))
    if exif_gps:
        exif = Image.Exif()
        exif[0x010F] = "Camera maker"
        exif.get_ifd(0x8825)[2] = (50.0, 5.0, 0.0)  # GPSLatitude
        image.save(buffer, format="JPEG", exif=exif)
    else:
        image.save(buffer, format="PNG")
    return buffer.getvalue()


def test_admin_uploads_a_logo_checked_by_content(client, app, tmp_path):
    from io import BytesIO

    from PIL import Image

    app.config["UPLOAD_FOLDER"] = str(tmp_path)
    town = make_municipality(slug="lipnice", name="Lipnice")
    admin = make_user(municipality=town, roles=(Role.ADMIN,))
    Auth(client).login(admin.email)
    token = csrf_token(client, "/lipnice/admin/settings")
    base = {
        "name": "Lipnice",
        "country": "CZ",
        "default_language": "cs",
        "timezone": "Europe/Prague",
        "currency": "CZK",
        "csrf_token": token,
    }

    fake = client.post(
        "/lipnice/admin/settings",
        content_type="multipart/form-data",
        data=dict(base, name="Kept name", logo=(BytesIO(b"<script>"), "logo.png")),
    )
    html = fake.get_data(as_text=True)
    assert "This file is not an image we can read." in html and 'value="Kept name"' in html

    photo = client.post(
        "/lipnice/admin/settings",
        content_type="multipart/form-data",
        data=dict(base, logo=(BytesIO(_png(exif_gps=True)), "logo.jpg")),
    )
    assert photo.status_code == 302
    db.session.refresh(town)
    served = client.get("/lipnice/logo")
    assert served.status_code == 200
    data = served.get_data()
    served.close()
    stored = Image.open(BytesIO(data))
    assert stored.size == (64, 32)
    assert not stored.getexif()  # camera and GPS data are gone
    assert "/lipnice/logo" in client.get("/lipnice/").get_data(as_text=True)

    client.post("/lipnice/admin/settings", data=dict(base, remove_logo="y"))
    assert client.get("/lipnice/logo").status_code == 404
