"""Staff run a participatory-budget vote: the register import, voting codes and their
printable letters, paper ballots de-duplicated against online votes, the tally preview
and publishing, implementation tracking, the audit log and Pabulib files."""

from __future__ import annotations

import re
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import select

from participation.budget import services as s
from participation.budget import voting
from participation.budget.models import (
    Ballot,
    Cycle,
    Implementation,
    Project,
    Verification,
    Voter,
)
from participation.core import services as core_services
from participation.core.models import VotingCode, utcnow
from participation.extensions import db
from tests.factories import make_cycle, make_pool, make_project
from tests.ideas.helpers import Browser, field_value, png_with_text, text

BASE = "/lipnice/budget/manage"

PB_FILE = """META
key;value
description;Test
country;Czech Republic
unit;Lipnice
instance;2024
num_projects;3
num_votes;4
budget;300000
vote_type;approval
rule;greedy
PROJECTS
project_id;cost;votes;name
1;100000;3;Lavičky
2;150000;2;Stromy
3;200000;1;Hřiště
VOTES
voter_id;vote
1;1,2
2;1
3;1,2
4;3
"""


@pytest.fixture
def staff(app, coordinator):
    return Browser(app, coordinator)


def register(town, *rows):
    """Put people in the town's register: (identifier, district code, birth year)."""
    m = town.municipality
    core_services.ensure_register_key(m)
    lines = ["id_hash;district_code;birth_year"] + [
        f"{core_services.register_hash_of(m, i)};{d};{y}" for i, d, y in rows
    ]
    assert not core_services.import_register(m, "\n".join(lines), {"STR", "SEV", "JIH"}).errors


def upload(content: str | bytes, name: str = "file.csv"):
    data = content.encode() if isinstance(content, str) else content
    return (BytesIO(data), name)


def audit_actions(cycle) -> list[str]:
    return [e.action for e in s.audit_log(cycle)]


# --- the register ------------------------------------------------------------------------


def test_the_register_is_imported_with_errors_by_line_and_the_hashing_explained(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", verification=Verification.REGISTER)
    page = staff.page(f"{BASE}/{cycle.id}/register")
    db.session.refresh(town.municipality)
    key = town.municipality.register_key
    assert key and key in page
    assert "HMAC-SHA256" in page
    assert "in capitals and keep only its letters and digits" in page
    assert "The register holds 0 residents." in page

    good = voting.register_hash(key, "925612/1234")
    bad = "id_hash;district_code;birth_year\n" + "\n".join(
        [f"{good};SEV;1980", "xyz;SEV;1990", f"{good};SEV;1980", f"{'a' * 64};NOPE;1970"]
    )
    response = staff.client.post(
        f"{BASE}/{cycle.id}/register",
        data={"csrf_token": staff.token, "file": upload(bad)},
        content_type="multipart/form-data",
    )
    page = text(response)
    assert "The file has 3 errors; nothing was imported." in page
    assert "Line 3: the identifier hash must be 64 hexadecimal digits." in page
    assert "Line 4: this identifier hash is already listed." in page
    assert "Line 5: unknown district code NOPE." in page
    assert core_services.register_size(town.municipality) == 0

    response = staff.client.post(
        f"{BASE}/{cycle.id}/register",
        data={
            "csrf_token": staff.token,
            "file": upload(f"id_hash;district_code;birth_year\n{good};SEV;1980\n"),
        },
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "The register is imported: 1 resident (replacing 0)." in text(response)
    assert "The register holds 1 resident." in text(response)
    assert core_services.find_register_entry(town.municipality, "9256121234") is not None
    assert "register_imported" in audit_actions(cycle)
    # Not a file at all.
    response = staff.post(f"{BASE}/{cycle.id}/register", {})
    assert "Choose a CSV file." in text(response)


# --- voting codes ------------------------------------------------------------------------


def test_codes_are_generated_printed_as_letters_then_erased(app, town, staff):
    cycle = make_cycle(
        town.municipality, phase="preparation", verification=Verification.CODE, title="PR 2031"
    )
    page = staff.page(f"{BASE}/{cycle.id}/codes")
    assert "No codes yet." in page
    response = staff.post(f"{BASE}/{cycle.id}/codes", {"count": "0", "batch": ""})
    assert response.status_code == 422
    assert "Number must be between 1 and 50000." in text(response)

    sever = town.districts["Sever"]
    response = staff.post(
        f"{BASE}/{cycle.id}/codes",
        {"count": "3", "batch": "Dopisy Sever", "district": str(sever.id)},
    )
    assert response.status_code == 302
    letters_url = response.headers["Location"]
    response = staff.get(letters_url)
    # Whoever sees a code can cast its ballot: not cached, and each showing is logged.
    assert response.headers["Cache-Control"] == "no-store"
    assert audit_actions(cycle)[-1] == "codes_shown"
    html = response.get_data(as_text=True)
    page = text(response)
    codes = [c.code for c in db.session.scalars(select(VotingCode).order_by(VotingCode.id))]
    assert len(codes) == 3 and all(codes)
    assert html.count('class="code-letter"') == 3
    for code in codes:
        assert code in page
    assert "Lipnice" in page and "PR 2031" in page and "How to vote" in page
    assert "The codes in clear are then erased" in page
    assert f"/lipnice/budget/{cycle.id}/" in page or "http://" in page

    # The same name again is refused.
    response = staff.post(f"{BASE}/{cycle.id}/codes", {"count": "1", "batch": "Dopisy Sever"})
    assert "A batch with this name exists" in text(response)

    listing = staff.page(f"{BASE}/{cycle.id}/codes")
    assert "Dopisy Sever" in listing and "Sever" in listing and "Print the letters" in listing
    response = staff.post(
        f"{BASE}/{cycle.id}/codes/printed", {"batch": "Dopisy Sever"}, follow_redirects=True
    )
    assert "3 codes in clear are erased" in text(response)
    db.session.expire_all()
    assert all(c.code is None for c in db.session.scalars(select(VotingCode)))
    page = staff.page(letters_url)
    assert "cannot be printed again" in page
    for code in codes:
        assert code not in page
    assert "Printed; codes erased" in staff.page(f"{BASE}/{cycle.id}/codes")
    assert audit_actions(cycle)[-3:] == ["codes_generated", "codes_shown", "codes_printed"]
    assert staff.get(f"{BASE}/{cycle.id}/codes/letters?batch=Jiný").status_code == 404


def test_a_cycle_without_codes_says_so(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", verification=Verification.EMAIL)
    assert "This cycle does not use voting codes" in staff.page(f"{BASE}/{cycle.id}/codes")
    assert staff.post(f"{BASE}/{cycle.id}/codes", {"count": "3", "batch": "A"}).status_code == 409


# --- paper ballots -----------------------------------------------------------------------


@pytest.fixture
def register_vote(town):
    register(town, ("A1", "SEV", 1980), ("B2", "SEV", 1990), ("C3", "JIH", 2020))
    cycle = make_cycle(town.municipality, phase="voting", verification=Verification.REGISTER)
    pool = make_pool(cycle, amount=Decimal("300000"))
    projects = [
        make_project(pool, title="Lavičky", cost="100000"),
        make_project(pool, title="Stromy", cost="150000"),
        make_project(pool, title="Hřiště", cost="200000"),
    ]
    return cycle, pool, projects


def test_a_paper_ballot_is_entered_and_the_same_person_is_refused_again(
    app, town, staff, register_vote
):
    cycle, pool, (benches, trees, playground) = register_vote
    page = staff.page(f"{BASE}/{cycle.id}/paper")
    assert "Choose the pool of the ballot" in page
    page = staff.page(f"{BASE}/{cycle.id}/paper/{pool.id}")
    assert "Identifier in the register of residents" in page
    assert "Lavičky" in page and "Cost: CZK100,000.00" in page

    # Over the pool's amount: the ballot is explained, what was typed stays.
    over = {
        "identifier": "a-1",
        f"project_{benches.id}": "y",
        f"project_{trees.id}": "y",
        f"project_{playground.id}": "y",
    }
    response = staff.post(f"{BASE}/{cycle.id}/paper/{pool.id}", over)
    assert response.status_code == 422
    assert "The ballot is not valid:" in text(response)
    assert "more than the pool's" in text(response)
    assert field_value(response, "identifier") == "a-1"
    inputs = re.findall(r'<input[^>]*name="project_\d+"[^>]*>', response.get_data(as_text=True))
    assert len(inputs) == 3 and all(" checked" in tag for tag in inputs)
    # Someone not in the register.
    response = staff.post(
        f"{BASE}/{cycle.id}/paper/{pool.id}",
        {"identifier": "Z9", f"project_{benches.id}": "y"},
    )
    assert "This identifier is not in the register of residents." in text(response)
    assert 'id="identifier-error"' in response.get_data(as_text=True)
    # Too young.
    response = staff.post(
        f"{BASE}/{cycle.id}/paper/{pool.id}",
        {"identifier": "C3", f"project_{benches.id}": "y"},
    )
    assert "at least 15 years old" in text(response)

    ballot = {"identifier": "a-1", f"project_{benches.id}": "y", f"project_{trees.id}": "y"}
    response = staff.post(f"{BASE}/{cycle.id}/paper/{pool.id}", ballot, follow_redirects=True)
    page = text(response)
    assert "Paper ballot recorded" in page
    assert "Enter another" in page
    voter = db.session.scalar(select(Voter))
    assert voter.channel == "paper" and voter.entered_by_id is not None
    assert db.session.scalar(select(Ballot)).channel == "paper"

    # The same person again on paper, then online.
    response = staff.post(f"{BASE}/{cycle.id}/paper/{pool.id}", dict(ballot, identifier="A1"))
    assert response.status_code == 422
    assert "This person has already voted (online or on paper)." in text(response)
    with pytest.raises(s.BudgetError, match="already voted"):
        s.cast_ballot(pool, {benches.id: 1}, s.eligibility(cycle, s.RegisterProof("A1")))
    assert len(db.session.scalars(select(Ballot)).all()) == 1
    assert "paper_ballot_entered" in audit_actions(cycle)


def test_who_voted_online_is_refused_on_paper(app, town, staff, register_vote):
    cycle, pool, (benches, trees, _playground) = register_vote
    s.cast_ballot(pool, {trees.id: 1}, s.eligibility(cycle, s.RegisterProof("B2")))
    response = staff.post(
        f"{BASE}/{cycle.id}/paper/{pool.id}", {"identifier": "B2", f"project_{benches.id}": "y"}
    )
    assert response.status_code == 422
    assert "This person has already voted (online or on paper)." in text(response)


def test_paper_ballots_by_voting_code_and_d21(app, town, staff):
    cycle = make_cycle(town.municipality, phase="voting", verification=Verification.CODE)
    pool = make_pool(cycle, method="d21", plus_votes=2, minus_votes=1)
    a, b, c = (make_project(pool, title=t) for t in ("A", "B", "C"))
    [code] = s.generate_voting_codes(cycle, 1, "Papír", None)
    page = staff.page(f"{BASE}/{cycle.id}/paper/{pool.id}")
    assert "Voting code" in page and "Minus" in page
    response = staff.post(
        f"{BASE}/{cycle.id}/paper/{pool.id}",
        {"identifier": code, f"project_{a.id}": "1", f"project_{b.id}": "-1"},
    )
    assert "A minus vote needs at least two plus votes first." in text(response)
    response = staff.post(
        f"{BASE}/{cycle.id}/paper/{pool.id}",
        {
            "identifier": code.lower(),
            f"project_{a.id}": "1",
            f"project_{b.id}": "1",
            f"project_{c.id}": "-1",
        },
    )
    assert response.status_code == 302
    ballot = db.session.scalar(select(Ballot))
    assert sorted(line.value for line in ballot.lines) == [-1, 1, 1]
    response = staff.post(
        f"{BASE}/{cycle.id}/paper/{pool.id}", {"identifier": code, f"project_{a.id}": "1"}
    )
    assert "already" in text(response)


def test_paper_ballots_are_explained_away_for_email_cycles_and_before_voting(app, town, staff):
    email = make_cycle(town.municipality, phase="voting", verification=Verification.EMAIL)
    pool = make_pool(email)
    page = staff.page(f"{BASE}/{email.id}/paper")
    assert "checks voters by their email accounts" in page
    assert "Paper ballots need voting codes or the register" in page
    assert "checks voters by their email accounts" in staff.page(
        f"{BASE}/{email.id}/paper/{pool.id}"
    )
    assert staff.post(f"{BASE}/{email.id}/paper/{pool.id}", {"identifier": "x"}).status_code == 409
    early = make_cycle(town.municipality, phase="preparation", verification=Verification.CODE)
    assert "during voting and counting only" in staff.page(f"{BASE}/{early.id}/paper")


# --- counting, results and implementation ------------------------------------------------


def close_voting(cycle: Cycle) -> None:
    now = utcnow()
    cycle.voting_opens_at = now - timedelta(days=20)
    cycle.voting_closes_at = now - timedelta(hours=1)
    db.session.flush()


def test_the_tally_is_previewed_published_and_winners_tracked(
    app, town, staff, register_vote, uploads
):
    cycle, pool, (benches, trees, playground) = register_vote
    for who, picks in (("A1", [benches, trees]), ("B2", [benches, playground])):
        s.cast_ballot(pool, {p.id: 1 for p in picks}, s.eligibility(cycle, s.RegisterProof(who)))
    early = staff.page(f"{BASE}/{cycle.id}/results")
    assert "nobody, staff included, sees how the projects are doing" in early
    assert "Lavičky" not in early
    assert staff.post(f"{BASE}/{cycle.id}/results/publish", {"confirm": "y"}).status_code == 403

    close_voting(cycle)
    page = staff.page(f"{BASE}/{cycle.id}/results")
    assert "2 ballots." in page
    assert "Spent CZK250,000.00 of CZK300,000.00." in page
    assert "Funded (#1)" in page and "Funded (#2)" in page and "Not funded" in page
    rows = re.findall(
        r"<th scope=\"row\">([^<]+)</th>\s*<td class=\"numeric\">(\d+)</td>",
        staff.get(f"{BASE}/{cycle.id}/results").get_data(as_text=True),
    )
    assert rows[0] == ("Lavičky", "2")
    assert "tallied" in audit_actions(cycle)
    export = staff.get(f"{BASE}/{cycle.id}/pools/{pool.id}/export.pb")
    assert export.status_code == 200
    assert "attachment" in export.headers["Content-Disposition"]
    assert export.get_data(as_text=True).startswith("META")

    # Publishing needs the confirmation.
    response = staff.post(f"{BASE}/{cycle.id}/results/publish", {})
    assert response.status_code == 422
    assert "Tick the box to confirm." in text(response)
    db.session.refresh(cycle)
    assert cycle.results_published_at is None
    response = staff.post(
        f"{BASE}/{cycle.id}/results/publish", {"confirm": "y"}, follow_redirects=True
    )
    page = text(response)
    assert "The results are published." in page
    assert "See the public results page" in page
    assert f"/lipnice/budget/{cycle.id}/results" in response.get_data(as_text=True)
    assert "Spent CZK250,000.00 of CZK300,000.00." in page
    assert "results_published" in audit_actions(cycle)

    # Implementation of the two winners.
    listing = staff.page(f"{BASE}/{cycle.id}/implementation")
    assert "Lavičky" in listing and "Stromy" in listing and "Hřiště" not in listing
    assert staff.get(f"{BASE}/{cycle.id}/implementation/{playground.id}").status_code == 404
    url = f"{BASE}/{cycle.id}/implementation/{benches.id}"
    response = staff.post(url, {"status-status": "in_progress", "status-progress": "150"})
    assert response.status_code == 422
    assert "Number must be between 0 and 100." in text(response)
    assert (
        staff.post(
            url,
            {"status-status": "in_progress", "status-progress": "40", "status-note": "Objednáno"},
        ).status_code
        == 302
    )
    db.session.refresh(benches)
    assert (benches.implementation, benches.progress) == (Implementation.IN_PROGRESS, 40)

    response = staff.post(f"{url}/milestones", {"new-title": "", "new-due": "2031-05-01"})
    assert response.status_code == 422 and "This field is required." in text(response)
    assert field_value(response, "new-due") == "2031-05-01"
    assert (
        staff.post(
            f"{url}/milestones", {"new-title": "Výběr dodavatele", "new-due": "2031-05-01"}
        ).status_code
        == 302
    )
    db.session.refresh(benches)
    milestone = benches.milestones[0]
    assert milestone.title == "Výběr dodavatele" and milestone.done_on is None
    assert staff.post(f"{url}/milestones/{milestone.id}/done", {}).status_code == 302
    db.session.refresh(milestone)
    assert milestone.done_on == utcnow().date()
    edited = {
        f"m{milestone.id}-title": "Dodavatel vybrán",
        f"m{milestone.id}-due": "2031-05-02",
        f"m{milestone.id}-done_on": "2031-05-03",
    }
    # Done on a day still to come: said beside that date, nothing saved.
    response = staff.post(f"{url}/milestones/{milestone.id}", edited)
    assert response.status_code == 422
    assert f'id="m{milestone.id}-done_on-error"' in response.get_data(as_text=True)
    assert "A milestone cannot be done on a day still to come." in text(response)
    db.session.refresh(milestone)
    assert milestone.title == "Výběr dodavatele"
    yesterday = str(utcnow().date() - timedelta(days=1))
    edited[f"m{milestone.id}-done_on"] = yesterday
    assert staff.post(f"{url}/milestones/{milestone.id}", edited).status_code == 302
    db.session.refresh(milestone)
    assert (milestone.title, str(milestone.done_on)) == ("Dodavatel vybrán", yesterday)

    response = staff.client.post(
        f"{url}/photos",
        data={
            "csrf_token": staff.token,
            "photo-alt": "Nové lavičky",
            "photo-photo": (BytesIO(png_with_text()), "foto.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 302
    page = staff.page(url)
    assert 'alt="Nové lavičky"' in staff.get(url).get_data(as_text=True)
    assert "Done on" in page and "40" in page
    db.session.refresh(benches)
    [photo] = [i for i in benches.images if i.implementation]
    assert staff.post(f"{url}/photos/{photo.id}/delete", {}).status_code == 302
    response = staff.client.post(
        f"{url}/photos",
        data={
            "csrf_token": staff.token,
            "photo-alt": "x",
            "photo-photo": (BytesIO(b"not an image"), "foto.png"),
        },
        content_type="multipart/form-data",
    )
    assert response.status_code == 422

    # Everything above is in the audit log, with who did it.
    audit = staff.page(f"{BASE}/{cycle.id}/audit")
    for label in (
        "Results published",
        "Implementation updated",
        "Milestone added",
        "Photo added",
        "Photo removed",
        "Votes counted (preview)",
    ):
        assert label in audit, label
    assert staff.user.display_name in audit


# --- the audit log and Pabulib -----------------------------------------------------------


def test_the_audit_log_shows_who_did_what_when(app, town, staff, coordinator):
    made_by_a_command = make_cycle(town.municipality, phase="preparation")
    assert "the system" in staff.page(f"{BASE}/{made_by_a_command.id}/audit")
    staff.post(
        f"{BASE}/new",
        {
            "title": "Audit",
            "year": "2031",
            "voting_opens_at": "2031-01-10T08:00",
            "voting_closes_at": "2031-02-10T08:00",
            "min_age": "15",
            "residence": "district",
            "pool_access": "own_district",
            "verification": "email",
            "categories": "Zeleň",
        },
    )
    cycle = db.session.scalar(select(Cycle).where(Cycle.title == "Audit"))
    staff.post(
        f"{BASE}/{cycle.id}/pools/new",
        {
            "name": "Město",
            "amount": "1000",
            "currency": "CZK",
            "method": "approval",
            "rule": "greedy",
        },
    )
    page = staff.page(f"{BASE}/{cycle.id}/audit")
    for label in ("Cycle created", "Categories changed", "Pool created"):
        assert label in page
    assert coordinator.display_name in page
    assert "Město" in page  # the details


def test_a_pabulib_file_is_imported_into_an_empty_pool_and_exported(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle, amount=Decimal("300000"))
    page = staff.page(f"{BASE}/{cycle.id}/pools/{pool.id}/pabulib")
    assert "The pool must be empty" in page
    response = staff.client.post(
        f"{BASE}/{cycle.id}/pools/{pool.id}/pabulib",
        data={"csrf_token": staff.token, "file": upload("nonsense", "x.pb")},
        content_type="multipart/form-data",
    )
    assert response.status_code == 422
    assert "This is not a Pabulib file we can read." in text(response)
    response = staff.client.post(
        f"{BASE}/{cycle.id}/pools/{pool.id}/pabulib",
        data={"csrf_token": staff.token, "file": upload(PB_FILE, "lipnice.pb")},
        content_type="multipart/form-data",
        follow_redirects=True,
    )
    assert "The file is imported: 3 projects and 4 ballots." in text(response)
    titles = sorted(p.title for p in db.session.scalars(select(Project)))
    assert titles == ["Hřiště", "Lavičky", "Stromy"]
    response = staff.client.post(
        f"{BASE}/{cycle.id}/pools/{pool.id}/pabulib",
        data={"csrf_token": staff.token, "file": upload(PB_FILE, "lipnice.pb")},
        content_type="multipart/form-data",
    )
    assert "Import a file into an empty pool." in text(response)

    # Before voting closes there is nothing to export; afterwards the file recounts.
    response = staff.get(f"{BASE}/{cycle.id}/pools/{pool.id}/export.pb")
    assert response.status_code == 403
    close_voting(cycle)
    exported = staff.get(f"{BASE}/{cycle.id}/pools/{pool.id}/export.pb").get_data(as_text=True)
    assert "vote_type;approval" in exported
    assert exported.count("\n1;") + exported.count("\n2;") >= 2
