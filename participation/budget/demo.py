"""The demo town's participatory budget: this year's cycle in its voting phase, with a
city-wide pool and district pools that use every voting method, projects made from its
ideas; and last year's closed cycle with published results."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from participation.budget import services
from participation.budget.models import Cycle, Method, PoolAccess, Residence, Rule, Verification
from participation.core import services as core_services
from participation.core.models import Municipality, utcnow
from participation.extensions import db
from participation.ideas.models import Idea, IdeaCall
from participation.ideas.rules import IdeaStatus
from participation.maps.models import District
from participation.maps.services import Place, locate

CURRENT_TITLE = "Participativní rozpočet Lipové 2027"
PAST_TITLE = "Participativní rozpočet Lipové 2026"

RESIDENTS = (
    "resident@demo.test",
    "jana.novakova@demo.test",
    "petr.svoboda@demo.test",
    "eva.dvorakova@demo.test",
    "tomas.cerny@demo.test",
)

# pool name -> district name (None: city-wide), amount, method and its parameters, rule
POOLS = (
    ("Celé město", None, "2000000", Method.APPROVAL, {"max_projects": 4}, Rule.MES_ADD1),
    ("Střed", "Střed", "600000", Method.D21, {"plus_votes": 3, "minus_votes": 1}, Rule.GREEDY),
    ("Sever", "Sever", "500000", Method.K_APPROVAL, {"k": 2}, Rule.GREEDY),
    ("Jih", "Jih", "500000", Method.POINTS, {"points": 10, "points_cap": 5}, Rule.GREEDY),
)

# pool name -> (title, cost, (lat, lon), description)
PROJECTS = {
    "Celé město": (
        ("Cyklostezka podél Lužnice", "1200000", (49.4000, 14.6550), "Zpevněná stezka 2 km."),
        ("Stromy do ulic", "450000", (49.4140, 14.6600), "Sto nových stromů v ulicích."),
        ("Veřejné toalety na náměstí", "650000", (49.4145, 14.6585), "Bezbariérové toalety."),
        ("Workoutové hřiště", "380000", (49.4305, 14.6620), "Cvičební prvky pro dospělé."),
        ("Pítka ve městě", "240000", (49.4120, 14.6640), "Pět pítek s pitnou vodou."),
    ),
    "Střed": (
        ("Lavičky na náměstí", "150000", (49.4142, 14.6590), "Dvanáct nových laviček."),
        ("Osvětlení Palackého ulice", "320000", (49.4130, 14.6620), "Úsporné lampy."),
        ("Stojany na kola", "90000", (49.4150, 14.6610), "Kryté stojany u radnice."),
        ("Zelená střecha zastávky", "120000", (49.4135, 14.6570), "Rozchodníková střecha."),
    ),
    "Sever": (
        ("Dětské hřiště Na Výsluní", "280000", (49.4320, 14.6500), "Houpačky a pískoviště."),
        ("Psí louka", "160000", (49.4350, 14.6700), "Oplocený výběh pro psy."),
    ),
    "Jih": (
        ("Knihobudka", "40000", (49.4001, 14.6705), "Budka na výměnu knih."),
        ("Oprava hřiště u školy", "350000", (49.3990, 14.6600), "Nový povrch a koše."),
        ("Komunitní kompostér", "60000", (49.3980, 14.6500), "Kompostér pro sousedy."),
    ),
}


def _district(municipality: Municipality, name: str | None) -> District | None:
    if name is None:
        return None
    return db.session.scalar(
        select(District).where(District.municipality_id == municipality.id, District.name == name)
    )


def _build(municipality: Municipality, title: str, year: int, coordinator, call) -> Cycle:
    """A cycle in preparation with its pools and projects."""
    now = utcnow()
    cycle = services.save_cycle(
        None,
        municipality,
        coordinator,
        title=title,
        year=year,
        description="Navrhněte, co se ve městě postaví, a hlasujte o tom. Obec na projekty "
        "vyčlenila **3,6 milionu korun**: dva miliony pro celé město a zbytek pro čtvrti.",
        idea_call_id=call.id if call is not None else None,
        voting_opens_at=now + timedelta(days=30),
        voting_closes_at=now + timedelta(days=44),
        min_age=15,
        residence=Residence.DISTRICT,
        pool_access=PoolAccess.OWN_DISTRICT,
        verification=Verification.EMAIL,
    )
    services.save_categories(cycle, coordinator, ["Doprava", "Zeleň", "Sport a hry"])
    for position, (name, district_name, amount, method, params, rule) in enumerate(POOLS):
        pool = services.save_pool(
            None,
            cycle,
            coordinator,
            district=_district(municipality, district_name),
            name=name,
            amount=Decimal(amount),
            currency=municipality.currency,
            method=method,
            rule=rule,
            changeable=method == Method.APPROVAL,
            position=position,
            **params,
        )
        for project_title, cost, (lat, lon), description in PROJECTS[name]:
            services.save_project(
                None,
                cycle,
                pool,
                coordinator,
                place=Place(lat, lon, locate(municipality, lat, lon), None),
                title=project_title,
                description=description,
                cost=Decimal(cost),
                cost_note="Odhad odboru investic.",
            )
    return cycle


def load(municipality: Municipality) -> None:
    titles = set(
        db.session.scalars(select(Cycle.title).where(Cycle.municipality_id == municipality.id))
    )
    if CURRENT_TITLE in titles:
        return
    now = utcnow()
    coordinator = core_services.find_user_by_email("coordinator@demo.test")
    residents = [core_services.find_user_by_email(e) for e in RESIDENTS]
    call = db.session.scalar(select(IdeaCall).where(IdeaCall.municipality_id == municipality.id))

    # This year's cycle: projects from the accepted ideas too, voting open.
    current = _build(municipality, CURRENT_TITLE, now.year + 1, coordinator, call)
    pools = {p.name: p for p in current.pools}
    accepted = (
        db.session.scalars(
            select(Idea).where(Idea.call_id == call.id, Idea.status == IdeaStatus.ACCEPTED)
        ).all()
        if call is not None
        else []
    )
    for idea in accepted:
        pool = next(
            (p for p in current.pools if p.district_id == idea.district_id),
            pools["Celé město"],
        )
        services.project_from_idea(
            current, idea, pool, Decimal("250000"), coordinator, "Podle posouzení nápadu."
        )
    services.publish_cycle(current, coordinator)
    current.voting_opens_at = now - timedelta(days=3)
    current.voting_closes_at = now + timedelta(days=11)
    db.session.flush()
    # Two residents have voted already.
    _vote(current, residents[1:3], municipality)

    # Last year's cycle: voted, counted and published.
    past = _build(municipality, PAST_TITLE, now.year, coordinator, None)
    services.publish_cycle(past, coordinator)
    past.voting_opens_at = now - timedelta(hours=2)
    past.voting_closes_at = now + timedelta(hours=1)
    db.session.flush()
    _vote(past, residents, municipality)
    past.voting_opens_at = now - timedelta(days=300)
    past.voting_closes_at = now - timedelta(days=286)
    db.session.flush()
    services.publish_results(past, coordinator)
    past.results_published_at = now - timedelta(days=280)
    db.session.flush()


def _vote(cycle: Cycle, residents, municipality: Municipality) -> None:
    """Each resident votes in the city-wide pool and their district's, as the demo's
    declared districts say (spread over Střed, Sever and Jih)."""
    districts = ["Střed", "Sever", "Jih", "Střed", "Jih"]
    for index, user in enumerate(residents):
        district = _district(municipality, districts[index % len(districts)])
        voter = services.eligibility(cycle, services.AccountProof(user, district, 1980 + index))
        for pool in voter.open_pools:
            ids = [p.id for p in sorted(pool.projects, key=lambda p: p.cost)]
            method = Method(pool.method)
            if method == Method.APPROVAL:
                chosen = ids[index % 2 :][:3]
                values = {pid: 1 for pid in chosen}
                total = sum(p.cost for p in pool.projects if p.id in values)
                while total > pool.amount:
                    values.pop(next(iter(values)))
                    total = sum(p.cost for p in pool.projects if p.id in values)
            elif method == Method.K_APPROVAL:
                values = {ids[index % len(ids)]: 1}
            elif method == Method.POINTS:
                values = {ids[0]: 5, ids[(index % (len(ids) - 1)) + 1]: 5}
            else:  # D21: plus votes, and a minus vote after two plus votes
                values = {ids[index % 4]: 1, ids[(index + 1) % 4]: 1}
                if index % 2:
                    values[ids[(index + 2) % 4]] = -1
            services.cast_ballot(pool, values, voter)
