"""The demo town's consultations: an open one with a survey of every question kind and a
draft text, and a closed one with its published report."""

from __future__ import annotations

from datetime import timedelta

from shapely.geometry import MultiPolygon, Polygon
from sqlalchemy import select

from participation.consultations import services
from participation.consultations.models import Consultation
from participation.consultations.rules import AgeBand, Foreigner, Gender, Kind, ReplyStatus, Value
from participation.core import services as core_services
from participation.core.models import Municipality, utcnow
from participation.extensions import db
from participation.maps.models import District

OPEN_TITLE = "Proměna náměstí Míru"
CLOSED_TITLE = "Pravidla pro předzahrádky"

# lon, lat: the square and the streets around it, in Střed.
SQUARE_AREA = [(14.652, 49.411), (14.666, 49.411), (14.666, 49.418), (14.652, 49.418)]

DRAFT_MARKDOWN = """\
# Účel a rozsah

Tato koncepce stanoví, jak se náměstí Míru promění v letech 2027 až 2029.

Týká se plochy náměstí, přilehlých chodníků a ulice Sokolské po křižovatku s Palackého.

# Doprava

Parkování na náměstí se omezí na 20 míst pro krátké stání a 4 místa pro osoby se zdravotním
postižením.

Zásobování bude možné od 6 do 10 hodin.

# Zeleň a voda

Na náměstí se vysadí 12 nových stromů a vznikne pítko s fontánou pro děti.
"""

CLOSED_DRAFT = """\
# Předzahrádky

Předzahrádka smí zabrat nejvýše polovinu šířky chodníku a musí ponechat průchod 1,5 metru.

Provoz předzahrádek je možný od dubna do října, od 8 do 22 hodin.
"""


def _residents():
    return [
        core_services.find_user_by_email(e)
        for e in (
            "resident@demo.test",
            "jana.novakova@demo.test",
            "petr.svoboda@demo.test",
            "eva.dvorakova@demo.test",
            "tomas.cerny@demo.test",
        )
    ]


def _parts(markdown: str) -> list[services.DraftPart]:
    parts: list[services.DraftPart] = []
    for block in markdown.split("\n\n"):
        block = block.strip()
        if block.startswith("# "):
            parts.append(services.DraftPart(block[2:].strip(), []))
        elif block:
            parts[-1].paragraphs.append(" ".join(block.split("\n")))
    return parts


def _survey(consultation: Consultation) -> dict[Kind, object]:
    about = services.add_section(
        consultation, "Jak náměstí používáte", "Pár otázek o tom, jak náměstí znáte dnes."
    )
    q = {}
    q[Kind.SINGLE] = services.add_question(
        about,
        options=("Denně", "Několikrát týdně", "Občas", "Skoro nikdy"),
        kind=Kind.SINGLE,
        text="Jak často chodíte přes náměstí?",
        required=True,
    )
    q[Kind.MULTIPLE] = services.add_question(
        about,
        options=("Nakupuji", "Procházím", "Parkuji", "Sedím v kavárně", "Čekám na autobus"),
        kind=Kind.MULTIPLE,
        text="Co na náměstí děláte?",
        help_text="Vyberte jednu až tři možnosti.",
        min_choices=1,
        max_choices=3,
    )
    q[Kind.YES_NO] = services.add_question(
        about, kind=Kind.YES_NO, text="Jezdíte na náměstí autem?", required=True
    )
    q[Kind.NUMBER] = services.add_question(
        about,
        kind=Kind.NUMBER,
        text="Kolik minut obvykle hledáte místo k parkování?",
        number_min=0,
        number_max=120,
        # Shown only to those who drive.
        condition_question_id=q[Kind.YES_NO].id,
        condition_value="yes",
    )
    future = services.add_section(consultation, "Jak má náměstí vypadat")
    q[Kind.SCALE] = services.add_question(
        future,
        kind=Kind.SCALE,
        text="Jak důležitá je pro vás zeleň na náměstí?",
        scale_min=1,
        scale_max=5,
        scale_min_label="Vůbec",
        scale_max_label="Velmi",
    )
    q[Kind.RANKING] = services.add_question(
        future,
        options=("Stromy a stín", "Parkování", "Lavičky", "Pítko a voda"),
        kind=Kind.RANKING,
        text="Seřaďte, co je pro vás nejdůležitější.",
    )
    q[Kind.SHORT_TEXT] = services.add_question(
        future, kind=Kind.SHORT_TEXT, text="Jedním slovem: jaké má náměstí být?", max_length=60
    )
    q[Kind.LONG_TEXT] = services.add_question(
        future, kind=Kind.LONG_TEXT, text="Co byste na náměstí změnili?", max_length=2000
    )
    q[Kind.DATE] = services.add_question(
        future,
        kind=Kind.DATE,
        text="Kdy by se podle vás měla přestavba dokončit?",
    )
    q[Kind.POINT] = services.add_question(
        future,
        kind=Kind.POINT,
        text="Označte na mapě místo, které potřebuje změnu nejvíc.",
        help_text="Klikněte do mapy, nebo zadejte souřadnice.",
    )
    return q


def _answers(q, i: int) -> dict[int, Value]:
    options = {kind: [o.id for o in q[kind].options] for kind in q}
    drives = i % 2 == 0
    values = {
        q[Kind.SINGLE].id: Value(options=(options[Kind.SINGLE][i % 4],)),
        q[Kind.MULTIPLE].id: Value(options=tuple(options[Kind.MULTIPLE][i % 5 : i % 5 + 2])),
        q[Kind.YES_NO].id: Value(yes=drives),
        q[Kind.SCALE].id: Value(number=float(3 + i % 3)),
        q[Kind.RANKING].id: Value(
            options=tuple(options[Kind.RANKING][(i + k) % 4] for k in range(4))
        ),
        q[Kind.SHORT_TEXT].id: Value(text=("Zelené", "Živé", "Klidné", "Bezpečné", "Krásné")[i]),
        q[Kind.LONG_TEXT].id: Value(
            text=(
                "Víc stínu, v létě se tam nedá vydržet.",
                "Méně aut a víc laviček.",
                "Zachovat trhy každou sobotu.",
                "Lepší osvětlení večer.",
                "Pítko pro děti a psy.",
            )[i]
        ),
        q[Kind.POINT].id: Value(point=(49.4125 + i * 0.001, 14.655 + i * 0.002)),
    }
    if drives:
        values[q[Kind.NUMBER].id] = Value(number=float(5 + i * 3))
    return values


def load(municipality: Municipality) -> None:
    existing = set(
        db.session.scalars(
            select(Consultation.title).where(Consultation.municipality_id == municipality.id)
        )
    )
    if OPEN_TITLE in existing:
        return
    now = utcnow()
    coordinator = core_services.find_user_by_email("coordinator@demo.test")
    residents = _residents()
    stred = db.session.scalar(
        select(District).where(
            District.municipality_id == municipality.id, District.name == "Střed"
        )
    )

    # An open consultation on the main square: survey, draft and open comments.
    square = services.save_consultation(
        municipality,
        None,
        coordinator,
        area=MultiPolygon([Polygon(SQUARE_AREA)]),
        title=OPEN_TITLE,
        summary="Město připravuje přestavbu náměstí Míru. Než architekti začnou kreslit, "
        "chceme vědět, jak náměstí používáte a co na něm potřebujete.\n\n"
        "Vyplňte **dotazník** a okomentujte **návrh koncepce** odstavec po odstavci.",
        decision="Zadání architektonické soutěže na přestavbu náměstí.",
        decision_maker="Rada města Lipová nad Lužnicí",
        area_kind="drawn",
        opens_at=now - timedelta(days=7),
        closes_at=now + timedelta(days=23),
        has_survey=True,
        has_draft=True,
        open_comments=True,
        anonymous_responses=False,
        show_comments=True,
        ask_demographics=True,
        contact_name="Karel Koudelka, koordinátor participace",
        contact_email="participace@demo.test",
        contact_phone="+420 381 000 010",
    )
    square.published_at = now - timedelta(days=8)
    square.opening_notice_sent_at = now - timedelta(days=7)
    q = _survey(square)
    services.replace_draft(square, "Koncepce náměstí Míru 2027–2029", _parts(DRAFT_MARKDOWN))
    demographics = (
        services.Demographics(AgeBand.FROM_30, Gender.WOMAN, stred.id if stred else None, "cs"),
        services.Demographics(AgeBand.FROM_60, Gender.MAN, None, "cs", Foreigner.NO),
        services.Demographics(AgeBand.FROM_18, Gender.WOMAN, stred.id if stred else None, "cs"),
    )
    for i, resident in enumerate(residents[1:4]):
        services.save_response(
            square,
            _answers(q, i),
            complete=True,
            respondent=resident,
            demographics=demographics[i],
        )
    # A response saved to finish later.
    services.save_response(
        square,
        {q[Kind.SINGLE].id: Value(options=(q[Kind.SINGLE].options[0].id,))},
        False,
        respondent=residents[4],
    )
    services.save_response(
        square, _answers(q, 3), True, entered_by=coordinator, paper_reference="P-001"
    )
    paragraphs = [p for s in square.draft_sections for p in s.paragraphs]
    services.add_comment(
        square,
        "Dvacet míst je málo, lidé z okolních obcí jezdí na nákup autem.",
        author=residents[2],
        paragraph=paragraphs[2],
    )
    services.add_comment(
        square,
        "Stromy ano, ale ať nezakryjí kostel.",
        author=residents[3],
        paragraph=paragraphs[4],
    )
    services.add_comment(
        square, "Bylo by dobré udělat i setkání přímo na náměstí.", author=residents[1]
    )

    # A closed consultation whose report is out.
    gardens = services.save_consultation(
        municipality,
        None,
        coordinator,
        title=CLOSED_TITLE,
        summary="Nová pravidla pro předzahrádky restaurací a kaváren v centru.",
        decision="Nařízení města o užívání veřejného prostranství.",
        decision_maker="Zastupitelstvo města",
        area_kind="whole",
        opens_at=now - timedelta(days=90),
        closes_at=now - timedelta(days=60),
        has_survey=True,
        has_draft=True,
        open_comments=True,
        contact_name="Karel Koudelka, koordinátor participace",
        contact_email="participace@demo.test",
    )
    gardens.published_at = now - timedelta(days=91)
    gardens.opening_notice_sent_at = now - timedelta(days=90)
    gardens.closing_notice_sent_at = now - timedelta(days=67)
    section = services.add_section(gardens, "Předzahrádky")
    agree = services.add_question(
        section, kind=Kind.YES_NO, text="Souhlasíte s navrženými pravidly?", required=True
    )
    why = services.add_question(section, kind=Kind.LONG_TEXT, text="Co byste změnili?")
    services.replace_draft(gardens, "Pravidla pro předzahrádky", _parts(CLOSED_DRAFT))
    # Inputs are entered while open: move the dates for a moment.
    opens, closes = gardens.opens_at, gardens.closes_at
    gardens.opens_at, gardens.closes_at = now - timedelta(days=1), now + timedelta(days=1)
    texts = ("Průchod 1,5 m je málo pro kočárky.", "Do 22 hodin je to příliš dlouho.", None)
    for resident, text in zip(residents[:3], texts, strict=True):
        values = {agree.id: Value(yes=text is None)}
        if text:
            values[why.id] = Value(text=text)
        services.save_response(gardens, values, True, respondent=resident)
    paragraph = gardens.draft_sections[0].paragraphs[0]
    services.add_comment(
        gardens, "Navrhuji průchod alespoň 2 metry.", author=residents[3], paragraph=paragraph
    )
    services.add_comment(gardens, "Co zimní předzahrádky?", author=residents[4])
    gardens.opens_at, gardens.closes_at = opens, closes
    db.session.flush()
    answers = {
        "Průchod": (ReplyStatus.ACCEPTED, "Průchod jsme rozšířili na 2 metry."),
        "Do 22": (ReplyStatus.PARTLY_ACCEPTED, "V pátek a sobotu do 22, jinak do 21 hodin."),
        "Navrhuji": (ReplyStatus.ACCEPTED, "Souhlasíme, pravidla teď žádají 2 metry."),
        "Co zimní": (ReplyStatus.OUT_OF_SCOPE, "Zimní provoz řeší jiné nařízení, předáme."),
    }
    for item in services.inputs_of(gardens):
        status, justification = next(v for k, v in answers.items() if item.text.startswith(k))
        services.reply_to(gardens, item.comment or item.answer, status, justification, coordinator)
    services.publish_report(
        gardens,
        "Děkujeme všem, kdo se zapojili. Pravidla jsme podle vašich připomínek upravili.",
        coordinator,
    )
    db.session.flush()
