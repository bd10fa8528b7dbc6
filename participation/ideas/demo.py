"""The demo town's open call for ideas, with ideas in every status over its districts."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from participation.core import services as core_services
from participation.core.models import Municipality, utcnow
from participation.extensions import db
from participation.ideas import services
from participation.ideas.models import Idea, IdeaCall, Submitters
from participation.ideas.rules import IdeaStatus
from participation.maps.services import Place, locate

CALL_TITLE = "Nápady pro Lipovou 2027"

# title, description, (lat, lon), category, status
IDEAS = (
    (
        "Lavičky podél Lužnice",
        "Na stezce podél řeky chybí místa k odpočinku. Navrhuji "
        "**pět laviček** s výhledem na vodu.",
        (49.3995, 14.652),
        "Zeleň a odpočinek",
        IdeaStatus.COLLECTING,
    ),
    (
        "Přechod u základní školy",
        "Děti přecházejí ulici Sokolskou bez přechodu. Bezpečný přechod s osvětlením by pomohl.",
        (49.4142, 14.6601),
        "Doprava",
        IdeaStatus.UNDER_REVIEW,
    ),
    (
        "Komunitní zahrada na Severu",
        "Volný pozemek za poštou by mohl sloužit jako komunitní zahrada se záhony pro sousedy.",
        (49.4301, 14.6512),
        "Zeleň a odpočinek",
        IdeaStatus.ACCEPTED,
    ),
    (
        "Heliport na náměstí",
        "Přistávací plocha pro vrtulníky přímo na náměstí.",
        (49.4140, 14.6590),
        "Doprava",
        IdeaStatus.REJECTED,
    ),
    (
        "Stojany na kola u nádraží",
        "U nádraží chybí kryté stojany na kola.",
        (49.4151, 14.6795),
        "Doprava",
        IdeaStatus.MERGED,
    ),
    (
        "Pítko v parku na Západě",
        "V parku chybí pitná voda pro děti i psy.",
        (49.4136, 14.6372),
        "Zeleň a odpočinek",
        IdeaStatus.APPEALED,
    ),
    (
        "Knihobudka na Jihu",
        "Stará telefonní budka jako knihovna pro sousedy.",
        (49.4001, 14.6705),
        "Kultura",
        IdeaStatus.EXPIRED,
    ),
    (
        "Krytá stání pro kola u nádraží",
        "Kola u nádraží moknou, chtělo by to přístřešek.",
        (49.4152, 14.6797),
        "Doprava",
        IdeaStatus.COLLECTING,
    ),
)


def load(municipality: Municipality) -> IdeaCall:
    call = db.session.scalar(
        select(IdeaCall).where(
            IdeaCall.municipality_id == municipality.id, IdeaCall.title == CALL_TITLE
        )
    )
    if call is not None:
        return call
    now = utcnow()
    coordinator = core_services.find_user_by_email("coordinator@demo.test")
    reviewer = core_services.find_user_by_email("reviewer@demo.test")
    moderator = core_services.find_user_by_email("moderator@demo.test")
    residents = [
        core_services.find_user_by_email(e)
        for e in (
            "resident@demo.test",
            "jana.novakova@demo.test",
            "petr.svoboda@demo.test",
            "eva.dvorakova@demo.test",
            "tomas.cerny@demo.test",
        )
    ]
    call = services.save_call(
        None,
        municipality,
        coordinator,
        district_ids=[],
        category_names=["Doprava", "Zeleň a odpočinek", "Kultura"],
        title=CALL_TITLE,
        description="Máte nápad, jak zlepšit Lipovou? Pošlete ho do konce roku. Nápady s "
        "alespoň **3 podporovateli** posoudí úřad a nejlepší se stanou projekty "
        "participativního rozpočtu.",
        opens_at=now - timedelta(days=20),
        closes_at=now + timedelta(days=40),
        submitters=Submitters.CONFIRMED_EMAIL,
        max_ideas_per_person=5,
        location_required=False,
        support_threshold=3,
        support_deadline=now + timedelta(days=50),
        max_images=3,
        appeal_days=14,
        duplicate_distance_m=150,
    )
    categories = {c.name: c.id for c in call.categories}
    ideas: list[Idea] = []
    for index, (title, description, (lat, lon), category, target) in enumerate(IDEAS):
        author = residents[index % len(residents)]
        district = locate(municipality, lat, lon)
        idea = services.save_idea(
            None,
            call,
            author,
            title,
            description,
            categories[category],
            Place(lat, lon, district, None),
            [],
            [],
        )
        services.submit_idea(idea, author)
        ideas.append(idea)
        _move_to(idea, target, residents, reviewer, coordinator, ideas)
    first = ideas[0]
    comment = services.add_comment(
        first, residents[1], "Výborný nápad, u řeky opravdu není kde si sednout.", None
    )
    services.add_comment(first, residents[0], "Děkuji! Místa jsem vyfotil.", comment)
    rude = services.add_comment(first, residents[3], "Lavičky jsou zbytečnost, hlupáci.", None)
    services.report(rude, residents[2], "Urážlivý komentář.")
    hidden = services.add_comment(ideas[1], residents[4], "Reklama na půjčky: volejte ihned!", None)
    services.hide(hidden, moderator, "Reklama, která nesouvisí s nápadem.")
    db.session.flush()
    return call


def _move_to(idea, target, residents, reviewer, coordinator, ideas) -> None:
    if target == IdeaStatus.COLLECTING:
        services.support(idea, next(r for r in residents if r.id != idea.author_id))
        return
    if target == IdeaStatus.EXPIRED:
        services.set_status(
            idea, IdeaStatus.EXPIRED, None, "Nápad nezískal dost podporovatelů do termínu."
        )
        return
    for supporter in [r for r in residents if r.id != idea.author_id][:3]:
        services.support(idea, supporter)
    if target == IdeaStatus.UNDER_REVIEW:
        return
    outcome = {
        IdeaStatus.ACCEPTED: "accepted",
        IdeaStatus.REJECTED: "rejected",
        IdeaStatus.APPEALED: "rejected",
        IdeaStatus.MERGED: "merged",
    }[target]
    merged_into = next((i for i in ideas if i.title.startswith("Krytá")), None)
    if outcome == "merged":
        merged_into = merged_into or ideas[0]
    services.review(
        idea,
        reviewer,
        legal=target != IdeaStatus.REJECTED,
        feasible=True,
        cost_estimate=Decimal("250000"),
        justification={
            "accepted": "Pozemek patří obci, záměr je v souladu s územním plánem.",
            "rejected": "Záměr odporuje územnímu plánu a bezpečnostním předpisům.",
            "merged": "Stejný záměr řeší jiný nápad, spojili jsme je.",
        }[outcome],
        outcome=outcome,
        merged_into=merged_into if outcome == "merged" else None,
    )
    if target == IdeaStatus.APPEALED:
        services.appeal(
            idea,
            db.session.get(type(reviewer), idea.author_id),
            "Pítko by stálo mimo chráněné území, prosím o nové posouzení.",
        )
