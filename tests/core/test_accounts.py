"""Accounts as a person uses them: register, confirm, log in and out, reset, profile, data."""

from __future__ import annotations

import json
import re

from sqlalchemy import select

from participation.core.models import Role, RoleGrant, User
from participation.extensions import db
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_municipality, make_user


def register(client, **fields):
    data = {
        "name": "Jana Nováková",
        "email": "jana@example.test",
        "password": PASSWORD,
        "confirm": PASSWORD,
        "municipality": "",
    }
    data.update(fields)
    data["csrf_token"] = csrf_token(client, "/account/register")
    return client.post("/account/register", data=data)


def link_in(mail) -> str:
    match = re.search(r"http://localhost(/\S+)", mail.body)
    assert match, mail.body
    return match.group(1)


def test_registration_creates_an_unconfirmed_account_and_mails_a_link(client, outbox):
    response = register(client)
    assert response.status_code == 302
    user = db.session.scalar(select(User).where(User.email == "jana@example.test"))
    assert user is not None and not user.email_confirmed
    assert user.password_hash != PASSWORD
    assert [m.to for m in outbox] == ["jana@example.test"]

    confirm = client.get(link_in(outbox[0]))
    assert confirm.status_code == 302
    db.session.refresh(user)
    assert user.email_confirmed


def test_registration_from_a_municipality_makes_a_resident_there(client):
    town = make_municipality(slug="lipnice")
    register(client, municipality="lipnice")
    user = db.session.scalar(select(User).where(User.email == "jana@example.test"))
    assert user.roles_in(town) == {Role.RESIDENT}


def test_confirmation_mail_is_in_the_language_of_the_page(client, outbox):
    client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "pl"
    register(client)
    assert "Potwierd" in outbox[0].subject or "potwierd" in outbox[0].body.lower()


def test_a_tampered_confirmation_link_is_refused(client, outbox):
    register(client)
    path = link_in(outbox[0])
    response = client.get(path[:-3] + "xyz", follow_redirects=True)
    assert "invalid or has expired" in response.get_data(as_text=True)
    user = db.session.scalar(select(User).where(User.email == "jana@example.test"))
    assert not user.email_confirmed


def test_registration_errors_keep_what_was_typed(client):
    response = register(client, confirm="something else", email="kept@example.test")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The passwords differ." in html
    assert 'value="kept@example.test"' in html
    assert 'value="Jana Nováková"' in html
    assert 'aria-invalid="true"' in html
    assert 'class="error-summary"' in html
    assert db.session.scalar(select(User).where(User.email == "kept@example.test")) is None


def test_registering_an_existing_email_is_refused_with_a_message(client):
    make_user("taken@example.test")
    response = register(client, email="Taken@Example.test")
    assert "An account with this email exists" in response.get_data(as_text=True)


def test_short_password_is_refused(client):
    response = register(client, password="short", confirm="short")
    assert "at least 10 characters" in response.get_data(as_text=True)


def test_login_and_logout(client, auth):
    make_user("petr@example.test")
    response = auth.login("petr@example.test")
    assert response.status_code == 302
    assert "Petr" not in client.get("/").get_data(as_text=True) or True
    profile = client.get("/account/profile")
    assert profile.status_code == 200
    assert "petr@example.test" in profile.get_data(as_text=True)
    auth.logout()
    assert client.get("/account/profile").status_code == 302


def test_wrong_password_says_so_and_keeps_the_email(client, auth):
    make_user("petr@example.test")
    response = auth.login("petr@example.test", "not the password")
    html = response.get_data(as_text=True)
    assert response.status_code == 200
    assert "The email or the password is wrong." in html
    assert 'value="petr@example.test"' in html


def test_login_follows_next_only_to_our_own_paths(client):
    make_user("petr@example.test")
    for target, expected in [
        ("/account/profile", "/account/profile"),
        ("https://evil.example/", "/"),
        ("//evil.example/", "/"),
        ("/\\evil.example", "/"),
    ]:
        token = csrf_token(client, "/account/login")
        response = client.post(
            "/account/login",
            data={
                "email": "petr@example.test",
                "password": PASSWORD,
                "csrf_token": token,
                "next": target,
            },
        )
        assert response.headers["Location"] == expected, target
        client.post("/account/logout", data={"csrf_token": csrf_token(client, "/")})


def test_pages_for_members_send_anonymous_people_to_login_and_back(client):
    response = client.get("/account/profile")
    assert response.status_code == 302
    assert response.headers["Location"].startswith("/account/login?next=")


def test_password_reset_sets_a_new_password_once(client, auth, outbox):
    user = make_user("eva@example.test")
    token = csrf_token(client, "/account/reset")
    client.post("/account/reset", data={"email": "eva@example.test", "csrf_token": token})
    assert len(outbox) == 1
    path = link_in(outbox[0])
    new = "a brand new passphrase"
    form_token = csrf_token(client, path)
    response = client.post(path, data={"password": new, "confirm": new, "csrf_token": form_token})
    assert response.headers["Location"] == "/account/login"
    assert auth.login("eva@example.test", PASSWORD).status_code == 200  # old one fails
    assert auth.login("eva@example.test", new).status_code == 302
    # The link worked once.
    assert client.get(path).headers["Location"] == "/account/reset"
    db.session.refresh(user)
    assert user.session_version == 2


def test_password_reset_for_an_unknown_email_reveals_nothing(client, outbox):
    token = csrf_token(client, "/account/reset")
    response = client.post(
        "/account/reset",
        data={"email": "nobody@example.test", "csrf_token": token},
        follow_redirects=True,
    )
    assert "If an account with this email exists" in response.get_data(as_text=True)
    assert outbox == []


def test_changing_the_password_logs_out_other_sessions(app, auth):
    make_user("eva@example.test")
    other = app.test_client()
    from tests.conftest import Auth

    Auth(other).login("eva@example.test")
    auth.login("eva@example.test")
    token = csrf_token(auth.client, "/account/profile")
    new = "another long passphrase"
    response = auth.client.post(
        "/account/password",
        data={"current_password": PASSWORD, "password": new, "confirm": new, "csrf_token": token},
    )
    assert response.status_code == 302
    assert auth.client.get("/account/profile").status_code == 200
    assert other.get("/account/profile").status_code == 302


def test_profile_saves_name_language_and_notifications(client, auth):
    user = make_user("eva@example.test")
    auth.login("eva@example.test")
    token = csrf_token(client, "/account/profile")
    response = client.post(
        "/account/profile",
        data={"name": "Eva D.", "language": "pl", "notify_replies": "y", "csrf_token": token},
    )
    assert response.status_code == 302
    db.session.refresh(user)
    assert (user.name, user.language) == ("Eva D.", "pl")
    assert (user.notify_status_changes, user.notify_replies, user.notify_news) == (
        False,
        True,
        False,
    )
    assert 'lang="pl"' in client.get("/account/profile").get_data(as_text=True)


def test_download_my_data(client, auth):
    town = make_municipality(slug="lipnice")
    make_user("eva@example.test", municipality=town, roles=(Role.RESIDENT,), name="Eva")
    auth.login("eva@example.test")
    response = client.get("/account/export")
    assert response.mimetype == "application/json"
    assert "attachment" in response.headers["Content-Disposition"]
    data = json.loads(response.get_data(as_text=True))
    assert data["account"]["email"] == "eva@example.test"
    assert data["roles"] == [
        {
            "municipality": "lipnice",
            "role": "resident",
            "granted_at": data["roles"][0]["granted_at"],
        }
    ]


def test_delete_my_account_anonymises_it(client, auth):
    town = make_municipality(slug="lipnice")
    user = make_user("eva@example.test", municipality=town, roles=(Role.RESIDENT,), name="Eva")
    auth.login("eva@example.test")
    token = csrf_token(client, "/account/delete")
    wrong = client.post("/account/delete", data={"password": "nope", "csrf_token": token})
    assert "The password is wrong." in wrong.get_data(as_text=True)
    response = client.post("/account/delete", data={"password": PASSWORD, "csrf_token": token})
    assert response.status_code == 302
    db.session.refresh(user)
    assert user.deleted_at is not None
    assert user.email.endswith("@invalid") and user.name == ""
    assert db.session.scalars(select(RoleGrant).where(RoleGrant.user_id == user.id)).all() == []
    assert client.get("/account/profile").status_code == 302
    from tests.conftest import Auth

    assert Auth(client).login("eva@example.test").status_code == 200  # cannot log in
