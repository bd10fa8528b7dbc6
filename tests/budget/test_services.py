"""Budget use cases: cycles, pools, projects, the register and codes, eligibility and the
audit log, on both databases."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal
from io import BytesIO

import pytest
from sqlalchemy import func, select
from werkzeug.datastructures import FileStorage

from participation.budget import services as s
from participation.budget.models import (
    AuditEntry,
    Method,
    PoolAccess,
    Residence,
    Rule,
    Verification,
)
from participation.core import services as core_services
from participation.core.models import Country, RegisterEntry, VotingCode, utcnow
from participation.extensions import db
from participation.ideas import services as ideas_services
from participation.ideas.models import IdeaImage
from participation.ideas.rules import IdeaStatus
from participation.maps.services import Place
from tests.factories import (
    make_call,
    make_cycle,
    make_idea,
    make_pool,
    make_project,
    make_user,
)
from tests.ideas.helpers import IN_JIH, IN_STRED, make_town, png_with_text


def actions(cycle) -> list[str]:
    return [entry.action for entry in s.audit_log(cycle)]


# --- cycles and pools -------------------------------------------------------------------------


def test_a_cycle_is_made_configured_and_published_with_an_audit_trail(town, coordinator):
    now = utcnow()
    cycle = s.save_cycle(
        None,
        town.municipality,
        coordinator,
        title="PR 2027",
        year=2027,
        voting_opens_at=now + timedelta(days=30),
        voting_closes_at=now + timedelta(days=44),
        min_age=15,
        verification=Verification.CODE,
    )
    with pytest.raises(s.BudgetError, match="at least one pool"):
        s.publish_cycle(cycle, coordinator)
    city = s.save_pool(
        None, cycle, coordinator, name="Celé město", amount=Decimal("2000000"), method="approval"
    )
    district_pool = s.save_pool(
        None,
        cycle,
        coordinator,
        district=town.districts["Jih"],
        name="Jih",
        amount=Decimal("500000"),
        method=Method.D21,
        plus_votes=4,
        minus_votes=2,
    )
    assert city.district is None and city.currency == "CZK"
    assert district_pool.district == town.districts["Jih"]
    s.save_categories(cycle, coordinator, ["Zeleň", "Doprava", " ", "Zeleň"])
    assert [c.name for c in cycle.categories] == ["Doprava", "Zeleň"]
    s.save_cycle(cycle, town.municipality, coordinator, title="PR 2027 (opraveno)")
    s.publish_cycle(cycle, coordinator)
    assert cycle.published_at is not None
    assert actions(cycle) == [
        "cycle_created",
        "pool_created",
        "pool_created",
        "categories_changed",
        "cycle_changed",
        "cycle_published",
    ]
    entry = s.audit_log(cycle)[4]
    assert entry.actor_id == coordinator.id
    assert json.loads(entry.detail) == {"title": "PR 2027 (opraveno)"}
    assert json.loads(s.audit_log(cycle)[2].detail)["district"] == town.districts["Jih"].id


def test_cycle_dates_and_locked_rules(town, coordinator):
    now = utcnow()
    with pytest.raises(s.BudgetError, match="close after it opens"):
        s.save_cycle(
            None,
            town.municipality,
            coordinator,
            title="x",
            year=2027,
            voting_opens_at=now,
            voting_closes_at=now,
        )
    cycle = make_cycle(town.municipality, phase="voting")
    with pytest.raises(s.BudgetError, match="Who may vote"):
        s.save_cycle(cycle, town.municipality, coordinator, min_age=18)
    with pytest.raises(s.BudgetError, match="past"):
        s.save_cycle(cycle, town.municipality, coordinator, voting_closes_at=now)
    # Extending the vote while it runs is allowed, and audited.
    s.save_cycle(cycle, town.municipality, coordinator, voting_closes_at=now + timedelta(days=20))
    assert actions(cycle)[-1] == "cycle_changed"
    closed = make_cycle(town.municipality, phase="counting")
    with pytest.raises(s.BudgetError, match="closed"):
        s.save_cycle(
            closed, town.municipality, coordinator, voting_closes_at=now + timedelta(days=2)
        )


def test_pool_rules(town, coordinator):
    cycle = make_cycle(town.municipality, phase="preparation")
    elsewhere = make_town("jinde")
    with pytest.raises(s.BudgetError, match="district of this municipality"):
        s.save_pool(
            None,
            cycle,
            coordinator,
            district=elsewhere.districts["Jih"],
            name="x",
            amount=Decimal(1),
            method="approval",
        )
    with pytest.raises(s.BudgetError, match="how many projects"):
        s.save_pool(None, cycle, coordinator, name="x", amount=Decimal(1), method="k_approval")
    with pytest.raises(s.BudgetError, match="points"):
        s.save_pool(None, cycle, coordinator, name="x", amount=Decimal(1), method="points")
    with pytest.raises(s.BudgetError, match="half as many"):
        s.save_pool(
            None,
            cycle,
            coordinator,
            name="x",
            amount=Decimal(1),
            method="d21",
            plus_votes=2,
            minus_votes=2,
        )
    with pytest.raises(s.BudgetError, match="greedy"):
        s.save_pool(
            None,
            cycle,
            coordinator,
            name="x",
            amount=Decimal(1),
            method="points",
            points=5,
            rule=Rule.MES,
        )
    with pytest.raises(s.BudgetError, match="more than zero"):
        s.save_pool(None, cycle, coordinator, name="x", amount=Decimal(0), method="approval")
    pool = s.save_pool(
        None, cycle, coordinator, name="x", amount=Decimal(10), method="approval", rule="mes-add1"
    )
    s.save_pool(pool, cycle, coordinator, amount=Decimal(20))
    assert pool.amount == 20 and pool.rule == Rule.MES_ADD1
    assert json.loads(s.audit_log(cycle)[-1].detail) == {"amount": "20", "pool": pool.id}
    voting_cycle = make_cycle(town.municipality, phase="voting")
    with pytest.raises(s.BudgetError, match="voting has opened"):
        s.save_pool(None, voting_cycle, coordinator, name="x", amount=Decimal(1), method="approval")


def test_the_half_percent_warning_for_polish_cities(app, coordinator):
    krakow = make_town("krakow-test")
    krakow.municipality.country = Country.PL
    krakow.municipality.currency = "PLN"
    cycle = make_cycle(krakow.municipality, phase="preparation", expenditure=Decimal("8e9"))
    make_pool(cycle, amount=Decimal("30000000"))
    make_pool(cycle, amount=Decimal("9000000"), district=krakow.districts["Jih"])
    db.session.refresh(cycle)
    warning = s.minimum_total_warning(cycle)
    assert warning is not None and "0.5%" in warning and "40" in warning
    make_pool(cycle, amount=Decimal("1000000"), district=krakow.districts["Sever"])
    db.session.refresh(cycle)
    assert s.minimum_total_warning(cycle) is None  # exactly 40 million
    cycle.expenditure = None
    assert s.minimum_total_warning(cycle) is None
    # A Czech town has no such rule.
    czech = make_cycle(make_town("cesko").municipality, expenditure=Decimal("8e9"))
    make_pool(czech, amount=Decimal("1"))
    assert s.minimum_total_warning(czech) is None


# --- projects ---------------------------------------------------------------------------------


@pytest.fixture
def accepted_idea(town, uploads):
    call = make_call(town.municipality)
    author = make_user(municipality=town.municipality)
    image = FileStorage(BytesIO(png_with_text()), filename="park.png")
    idea = ideas_services.save_idea(
        None,
        call,
        author,
        "Lavičky v parku",
        "Deset laviček.",
        None,
        Place(IN_JIH[0], IN_JIH[1], town.districts["Jih"], "Parková 1"),
        [image],
        ["Park dnes"],
    )
    idea.status = IdeaStatus.ACCEPTED
    db.session.flush()
    return idea


def test_a_project_from_an_accepted_idea_keeps_link_place_and_images(
    town, coordinator, accepted_idea, uploads
):
    cycle = make_cycle(town.municipality, phase="preparation")
    pool = make_pool(cycle, district=town.districts["Jih"])
    project = s.project_from_idea(
        cycle, accepted_idea, pool, Decimal("250000"), coordinator, cost_note="Odhad odboru"
    )
    assert project.idea_id == accepted_idea.id and project.pool == pool
    assert (project.lat, project.lon, project.address) == (IN_JIH[0], IN_JIH[1], "Parková 1")
    assert project.district_id == town.districts["Jih"].id
    assert project.title == "Lavičky v parku" and project.cost_note == "Odhad odboru"
    [image] = project.images
    [original] = accepted_idea.images
    assert image.alt == "Park dnes" and image.filename != original.filename
    assert (uploads / "budget" / image.filename).read_bytes() == (
        uploads / "ideas" / original.filename
    ).read_bytes()
    assert (uploads / "budget" / image.thumbnail).exists()
    # The idea's own files are untouched and stay the idea's.
    assert (uploads / "ideas" / original.filename).exists()
    with pytest.raises(s.BudgetError, match="already a project"):
        s.project_from_idea(cycle, accepted_idea, pool, Decimal("1"), coordinator)
    assert actions(cycle) == ["cycle_created", "project_from_idea"]


def test_only_accepted_ideas_of_the_town_become_projects(town, coordinator, uploads):
    cycle = make_cycle(town.municipality, phase="preparation")
    pool = make_pool(cycle)
    call = make_call(town.municipality)
    for status in (IdeaStatus.UNDER_REVIEW, IdeaStatus.REJECTED, IdeaStatus.DRAFT):
        idea = make_idea(call, None, status=status)
        with pytest.raises(s.BudgetError, match="accepted"):
            s.project_from_idea(cycle, idea, pool, Decimal("1"), coordinator)
    elsewhere = make_town("jinde")
    foreign = make_idea(make_call(elsewhere.municipality), None, status=IdeaStatus.ACCEPTED)
    with pytest.raises(s.BudgetError, match="municipality"):
        s.project_from_idea(cycle, foreign, pool, Decimal("1"), coordinator)
    stred = make_idea(call, None, status=IdeaStatus.ACCEPTED, lat=IN_STRED[0], lon=IN_STRED[1])
    jih_pool = make_pool(cycle, district=town.districts["Jih"])
    with pytest.raises(s.BudgetError, match="another district"):
        s.project_from_idea(cycle, stred, jih_pool, Decimal("1"), coordinator)
    with pytest.raises(s.BudgetError, match="more than zero"):
        s.project_from_idea(cycle, stred, pool, Decimal("0"), coordinator)
    voting_cycle = make_cycle(town.municipality, phase="voting")
    with pytest.raises(s.BudgetError, match="voting has opened"):
        s.project_from_idea(voting_cycle, stred, make_pool(voting_cycle), Decimal("1"), coordinator)


def test_projects_entered_directly_until_voting_opens(town, coordinator):
    cycle = make_cycle(town.municipality, phase="preparation")
    pool = make_pool(cycle)
    [category] = s.save_categories(cycle, coordinator, ["Zeleň"])
    project = s.save_project(
        None,
        cycle,
        pool,
        coordinator,
        category=category,
        place=Place(IN_STRED[0], IN_STRED[1], town.districts["Střed"], None),
        title=" Nové stromy ",
        description="Dvacet lip.",
        cost=Decimal("222176.85"),
    )
    assert project.title == "Nové stromy" and project.cost == Decimal("222176.85")
    assert project.district_id == town.districts["Střed"].id and project.category == category
    s.save_project(project, cycle, pool, coordinator, cost=Decimal("300000"))
    assert project.cost == 300000
    with pytest.raises(s.BudgetError, match="more than zero"):
        s.save_project(None, cycle, pool, coordinator, title="x", cost=Decimal("-1"))
    other = make_cycle(town.municipality, phase="preparation")
    with pytest.raises(s.BudgetError, match="pool of this cycle"):
        s.save_project(None, other, pool, coordinator, title="x", cost=Decimal("1"))
    assert actions(cycle)[-2:] == ["project_created", "project_changed"]
    # Once voting opens the ballot is fixed.
    cycle.voting_opens_at = utcnow() - timedelta(minutes=1)
    with pytest.raises(s.BudgetError, match="voting has opened"):
        s.save_project(project, cycle, pool, coordinator, cost=Decimal("1"))
    with pytest.raises(s.BudgetError, match="voting has opened"):
        s.delete_project(project, coordinator)


# --- the register and voting codes ------------------------------------------------------------


def hashed(municipality, identifier: str) -> str:
    return core_services.register_hash_of(municipality, identifier)


def register_csv(municipality, rows, delimiter=";") -> str:
    lines = [delimiter.join(["id_hash", "district_code", "birth_year"])]
    for identifier, district_code, year in rows:
        lines.append(delimiter.join([hashed(municipality, identifier), district_code, str(year)]))
    return "\n".join(lines) + "\n"


def test_register_import_replaces_the_register(town, coordinator):
    m = town.municipality
    key = core_services.ensure_register_key(m)
    assert len(key) == 64 and core_services.ensure_register_key(m) == key
    cycle = make_cycle(m, verification=Verification.REGISTER)
    report = s.import_resident_register(
        cycle, register_csv(m, [("A1", "JIH", 1980), ("B2", "SEV", 2000)]), coordinator
    )
    assert (report.imported, report.replaced, report.errors) == (2, 0, [])
    report = s.import_resident_register(
        cycle,
        "\ufeff" + register_csv(m, [("C3", "STR", 1990), ("D4", "", "")], delimiter=","),
        coordinator,
    )
    assert (report.imported, report.replaced) == (2, 2)
    assert core_services.register_size(m) == 2
    assert core_services.find_register_entry(m, "a1") is None
    entry = core_services.find_register_entry(m, " c-3 ")
    assert (entry.district_code, entry.birth_year) == ("STR", 1990)
    assert core_services.find_register_entry(m, "D4").district_code is None
    assert actions(cycle) == ["cycle_created", "register_imported", "register_imported"]
    # No identifier is stored, only the keyed hash.
    stored = db.session.scalars(select(RegisterEntry.id_hash)).all()
    assert "C3" not in stored and hashed(m, "C3") in stored


def test_register_errors_name_their_lines_and_change_nothing(town, coordinator):
    m = town.municipality
    core_services.ensure_register_key(m)
    cycle = make_cycle(m, verification=Verification.REGISTER)
    s.import_resident_register(cycle, register_csv(m, [("A1", "JIH", 1980)]), coordinator)
    good = hashed(m, "X")
    text = (
        "id_hash;district_code;birth_year\n"
        f"{good};JIH;1970\n"
        "abc;JIH;1970\n"
        f"{hashed(m, 'Y')};ZAP;1970\n"
        f"{good};JIH;1970\n"
        f"{hashed(m, 'Z')};JIH;19x0\n"
        f"{hashed(m, 'W')};JIH\n"
    )
    report = s.import_resident_register(cycle, text, coordinator)
    assert report.imported == 0
    assert [e.split(":")[0] for e in report.errors] == [
        "Line 3",
        "Line 4",
        "Line 5",
        "Line 6",
        "Line 7",
    ]
    assert "ZAP" in report.errors[1]
    assert core_services.find_register_entry(m, "A1") is not None
    report = s.import_resident_register(cycle, f"{good};JIH;1970\n", coordinator)
    assert report.errors and "header" in report.errors[0]
    assert actions(cycle) == ["cycle_created", "register_imported"]


def test_codes_are_kept_in_clear_only_until_printed(town, coordinator):
    m = town.municipality
    cycle = make_cycle(m, verification=Verification.CODE)
    codes = s.generate_voting_codes(cycle, 5, "dopisy-1", coordinator, town.districts["Jih"])
    assert len(set(codes)) == 5
    assert len(core_services.codes_to_print(m, s.code_scope(cycle), "dopisy-1")) == 5
    found = core_services.find_code(m, s.code_scope(cycle), codes[0].lower())
    assert found.district_code == "JIH" and found.code == codes[0]
    assert core_services.find_code(m, "budget:0", codes[0]) is None
    assert s.mark_codes_printed(cycle, "dopisy-1", coordinator) == 5
    assert core_services.codes_to_print(m, s.code_scope(cycle), "dopisy-1") == []
    assert (
        db.session.scalar(
            select(func.count()).select_from(VotingCode).where(VotingCode.code.is_not(None))
        )
        == 0
    )
    # The hash still finds it.
    assert core_services.find_code(m, s.code_scope(cycle), codes[0]) is not None
    assert actions(cycle) == ["cycle_created", "codes_generated", "codes_printed"]
    detail = json.loads(s.audit_log(cycle)[1].detail)
    assert detail == {"batch": "dopisy-1", "count": 5, "district": town.districts["Jih"].id}
    assert not any(code in e.detail for e in s.audit_log(cycle) for code in codes)
    email_cycle = make_cycle(m)
    with pytest.raises(s.BudgetError, match="voting codes"):
        s.generate_voting_codes(email_cycle, 1, "x", coordinator)


# --- eligibility ------------------------------------------------------------------------------


@pytest.fixture
def pools(town):
    """A voting cycle with a city-wide pool and one pool per district."""

    def build(**cycle_fields):
        cycle = make_cycle(town.municipality, **cycle_fields)
        city = make_pool(cycle)
        by_district = {name: make_pool(cycle, district=d) for name, d in town.districts.items()}
        db.session.refresh(cycle)
        return cycle, city, by_district

    return build


def test_email_voters_need_a_confirmed_account_a_district_and_the_age(town, pools):
    cycle, city, by_district = pools(min_age=15)
    person = make_user(municipality=town.municipality)
    this_year = utcnow().year
    result = s.eligibility(cycle, s.AccountProof(person, town.districts["Jih"], this_year - 15))
    assert result.voter_key == f"user:{person.id}"
    assert result.district == town.districts["Jih"]
    assert {p.id for p in result.pools} == {city.id, by_district["Jih"].id}
    with pytest.raises(s.BudgetError, match="at least 15 years"):
        s.eligibility(cycle, s.AccountProof(person, town.districts["Jih"], this_year - 14))
    with pytest.raises(s.BudgetError, match="year of birth"):
        s.eligibility(cycle, s.AccountProof(person, town.districts["Jih"], None))
    with pytest.raises(s.BudgetError, match="district"):
        s.eligibility(cycle, s.AccountProof(person, None, 1980))
    unconfirmed = make_user(confirmed=False)
    with pytest.raises(s.BudgetError, match="Confirm your email"):
        s.eligibility(cycle, s.AccountProof(unconfirmed, town.districts["Jih"], 1980))
    with pytest.raises(s.BudgetError, match="way of proving"):
        s.eligibility(cycle, s.CodeProof("AAAA-BBBB-CCCC"))
    with pytest.raises(s.BudgetError, match="way of proving"):
        s.eligibility(cycle, s.RegisterProof("A1"))
    elsewhere = make_town("jinde")
    with pytest.raises(s.BudgetError, match="district of this municipality"):
        s.eligibility(cycle, s.AccountProof(person, elsewhere.districts["Jih"], 1980))


def test_code_voters_get_their_letters_district(town, coordinator, pools):
    cycle, city, by_district = pools(verification=Verification.CODE)
    [code] = s.generate_voting_codes(cycle, 1, "b", coordinator, town.districts["Sever"])
    [citywide_code] = s.generate_voting_codes(cycle, 1, "c", coordinator)
    result = s.eligibility(cycle, s.CodeProof(code.replace("-", " ").lower()))
    assert result.voter_key == f"code:{core_services.code_hash(code)}"
    assert result.district == town.districts["Sever"]
    assert {p.id for p in result.pools} == {city.id, by_district["Sever"].id}
    # The letter's district wins over a declaration under residence by district.
    assert (
        s.eligibility(cycle, s.CodeProof(code, town.districts["Jih"])).district
        == (town.districts["Sever"])
    )
    # A letter to the whole town: the voter declares their district, or votes city-wide.
    assert (
        s.eligibility(cycle, s.CodeProof(citywide_code, town.districts["Jih"])).district
        == (town.districts["Jih"])
    )
    assert [p.id for p in s.eligibility(cycle, s.CodeProof(citywide_code)).pools] == [city.id]
    with pytest.raises(s.BudgetError, match="not valid"):
        s.eligibility(cycle, s.CodeProof("AAAA-BBBB-CCCC"))
    with pytest.raises(s.BudgetError, match="at least 15"):
        s.eligibility(cycle, s.CodeProof(code, birth_year=utcnow().year - 3))


def test_register_voters_get_the_registers_district_and_age(town, coordinator, pools):
    m = town.municipality
    cycle, city, by_district = pools(verification=Verification.REGISTER, min_age=18)
    core_services.ensure_register_key(m)
    young = utcnow().year - 17
    s.import_resident_register(
        cycle,
        register_csv(m, [("850101/1234", "JIH", 1985), ("YOUNG", "STR", young), ("NOD", "", "")]),
        coordinator,
    )
    result = s.eligibility(cycle, s.RegisterProof("8501011234", town.districts["Sever"]))
    assert result.voter_key == f"register:{hashed(m, '8501011234')}"
    assert result.district == town.districts["Jih"]  # the register decides, not a claim
    assert {p.id for p in result.pools} == {city.id, by_district["Jih"].id}
    with pytest.raises(s.BudgetError, match="at least 18"):
        s.eligibility(cycle, s.RegisterProof("YOUNG"))
    with pytest.raises(s.BudgetError, match="not in the register"):
        s.eligibility(cycle, s.RegisterProof("999"))
    assert [p.id for p in s.eligibility(cycle, s.RegisterProof("NOD")).pools] == [city.id]


def test_pool_access_any_and_residence_in_the_municipality(town, coordinator, pools):
    m = town.municipality
    core_services.ensure_register_key(m)
    cycle, city, by_district = pools(verification=Verification.REGISTER, pool_access=PoolAccess.ANY)
    s.import_resident_register(cycle, register_csv(m, [("A", "JIH", 1980)]), coordinator)
    assert len(s.eligibility(cycle, s.RegisterProof("A")).pools) == 4
    chooser, city2, by_district2 = pools(
        verification=Verification.REGISTER, residence=Residence.MUNICIPALITY
    )
    # Living in the town is enough: the voter chooses a district's pool.
    result = s.eligibility(chooser, s.RegisterProof("A", town.districts["Sever"]))
    assert result.district == town.districts["Sever"]
    assert {p.id for p in result.pools} == {city2.id, by_district2["Sever"].id}
    # Without a choice, the register's district.
    assert s.eligibility(chooser, s.RegisterProof("A")).district == town.districts["Jih"]


def test_audit_entries_belong_to_their_cycle(town, coordinator):
    cycle = make_cycle(town.municipality, phase="preparation")
    other = make_cycle(town.municipality, phase="preparation")
    s.audit(cycle, coordinator, "custom", note="x", amount=Decimal("1.50"), when=utcnow())
    entry = db.session.scalar(select(AuditEntry).where(AuditEntry.action == "custom"))
    assert entry.cycle_id == cycle.id and s.audit_log(other)[-1].action == "cycle_created"
    detail = json.loads(entry.detail)
    assert detail["amount"] == "1.50" and detail["note"] == "x" and "T" in detail["when"]


def test_a_project_can_be_deleted_before_voting(town, coordinator):
    cycle = make_cycle(town.municipality, phase="preparation")
    pool = make_pool(cycle)
    project = make_project(pool)
    s.delete_project(project, coordinator)
    with pytest.raises(s.BudgetError, match="voting has opened"):
        s.delete_pool(make_pool(make_cycle(town.municipality)), coordinator)
    s.delete_pool(pool, coordinator)
    assert actions(cycle)[-2:] == ["project_deleted", "pool_deleted"]
    assert db.session.scalar(select(func.count()).select_from(IdeaImage)) == 0
