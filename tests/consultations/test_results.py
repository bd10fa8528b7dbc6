"""The results page: every question kind's figures as submitted (online, anonymous and
paper), who may see them when, and the respondents' demographics."""

from __future__ import annotations

import html
import re
from datetime import date
from html.parser import HTMLParser

import pytest

from participation.consultations import results
from participation.consultations import services as s
from participation.consultations.rules import AgeBand, Gender, Kind, Value
from participation.core.models import Role
from participation.extensions import db
from participation.maps.models import DistrictPopulation
from tests.factories import make_consultation, make_survey, make_user
from tests.ideas.helpers import IN_JIH, IN_STRED, Browser, text

FORMULA = '=HYPERLINK("http://evil.example/","Klikni")'


class _Tables(HTMLParser):
    """Each table of a page by its caption: rows of cell texts."""

    def __init__(self):
        super().__init__()
        self.tables: dict[str, list[list[str]]] = {}
        self._caption = None
        self._rows = None
        self._cell = None
        self._in_caption = False

    def handle_starttag(self, tag, attrs):
        if tag == "table":
            self._rows, self._caption = [], ""
        elif tag == "caption":
            self._in_caption = True
        elif tag == "tr" and self._rows is not None:
            self._rows.append([])
        elif tag in ("td", "th") and self._rows is not None:
            self._cell = ""

    def handle_endtag(self, tag):
        if tag == "caption":
            self._in_caption = False
        elif tag in ("td", "th") and self._cell is not None:
            self._rows[-1].append(" ".join(self._cell.split()))
            self._cell = None
        elif tag == "table":
            self.tables[" ".join(self._caption.split())] = self._rows
            self._rows = None

    def handle_data(self, data):
        if self._in_caption:
            self._caption += data
        elif self._cell is not None:
            self._cell += data


INLINE = re.compile(r"</?(?:a|abbr|span|strong|em|time)\b[^>]*>")
TAG = re.compile(r"<[^>]+>")


def words(response) -> str:
    """The page's text as a person reads it: no tags, whitespace collapsed."""
    body = html.unescape(TAG.sub(" ", INLINE.sub("", response.get_data(as_text=True))))
    return " ".join(body.replace(" ,", ",").split())


def tables(response) -> dict[str, list[list[str]]]:
    parser = _Tables()
    parser.feed(response.get_data(as_text=True))
    return parser.tables


@pytest.fixture
def coordinator(town):
    return make_user(municipality=town.municipality, roles=(Role.COORDINATOR,))


@pytest.fixture
def resident(town):
    return make_user(municipality=town.municipality, roles=(Role.RESIDENT,), name="Rosa Rezková")


@pytest.fixture
def survey(town, coordinator, resident):
    return answered_survey(town, coordinator, resident)


def answered_survey(town, coordinator, resident):
    """An open consultation with every question kind and three submitted responses (one
    online, one anonymous, one on paper) and one unfinished."""
    c = make_consultation(
        town.municipality, by=coordinator, anonymous_responses=True, title="Park u řeky"
    )
    qs = make_survey(c)
    a, b, cc = (o.id for o in qs[Kind.SINGLE].options)
    ma, mb, mc = (o.id for o in qs[Kind.MULTIPLE].options)
    ra, rb, rc = (o.id for o in qs[Kind.RANKING].options)

    def answers(single, multiple, short, long, scale, ranking, number, yes, day, point):
        values = {
            qs[Kind.SINGLE].id: Value(options=(single,)),
            qs[Kind.MULTIPLE].id: Value(options=multiple),
            qs[Kind.SHORT_TEXT].id: Value(text=short),
            qs[Kind.SCALE].id: Value(number=scale),
            qs[Kind.RANKING].id: Value(options=ranking),
            qs[Kind.NUMBER].id: Value(number=number),
            qs[Kind.YES_NO].id: Value(yes=yes),
            qs[Kind.DATE].id: Value(day=day),
            qs[Kind.POINT].id: Value(point=point),
        }
        if long:
            values[qs[Kind.LONG_TEXT].id] = Value(text=long)
        return values

    s.save_response(
        c,
        answers(a, (ma, mb), "Víc laviček", FORMULA, 4, (rb, ra, rc), 10, True,
                date(2026, 5, 3), IN_STRED),
        True,
        respondent=resident,
    )  # fmt: skip
    s.save_response(
        c,
        answers(b, (ma,), "Strom", None, 5, (rb, rc, ra), 20, False, date(2026, 7, 15), IN_JIH),
        True,
        token="browser-1",
    )
    s.save_response(
        c,
        answers(a, (mc,), "Lepší osvětlení", None, 2, (ra, rb, rc), 3.5, True,
                date(2026, 5, 20), IN_STRED),
        True,
        entered_by=coordinator,
        paper_reference="P-7",
    )  # fmt: skip
    s.save_response(  # saved to finish later: not counted
        c,
        answers(cc, (mc,), "Rozpracováno", None, 1, (rc, rb, ra), 99, False, date(2027, 1, 1),
                IN_JIH),
        False,
        respondent=make_user(),
    )  # fmt: skip
    return c, qs


def closed(c):
    s.close_now(c)
    db.session.flush()
    return c


def url(c, page="results"):
    return f"/lipnice/consultations/{c.id}/{page}"


def test_the_figures_are_those_submitted_for_every_kind(app, survey):
    c, qs = survey
    with app.test_request_context(headers={"Accept-Language": "en"}):
        gathered = {r.question.id: r for r in results.gather(c).questions}
    assert results.respondents(c).online == 2 and results.respondents(c).paper == 1

    def bars(kind):
        return [(b.label, b.count, round(b.share, 1)) for b in gathered[qs[kind].id].bars]

    assert bars(Kind.SINGLE) == [("A", 2, 66.7), ("B", 1, 33.3), ("C", 0, 0)]
    # Multiple choice: shares of the people who answered.
    assert bars(Kind.MULTIPLE) == [("A", 2, 66.7), ("B", 1, 33.3), ("C", 1, 33.3)]
    assert bars(Kind.YES_NO) == [("Yes", 2, 66.7), ("No", 1, 33.3)]
    assert bars(Kind.SCALE) == [
        ("1 (málo)", 0, 0),
        ("2", 1, 33.3),
        ("3", 0, 0),
        ("4", 1, 33.3),
        ("5 (hodně)", 1, 33.3),
    ]
    assert gathered[qs[Kind.SCALE].id].mean == pytest.approx(11 / 3)
    ranking = gathered[qs[Kind.RANKING].id]
    assert [(label, round(mean, 2), first) for label, mean, first, _share in ranking.ranking] == [
        ("B", 1.33, 2),
        ("A", 2.0, 1),
        ("C", 2.67, 0),
    ]
    assert gathered[qs[Kind.NUMBER].id].summary == {
        "min": 3.5,
        "max": 20,
        "median": 10,
        "mean": pytest.approx(33.5 / 3),
    }
    dates = gathered[qs[Kind.DATE].id]
    assert (dates.earliest, dates.latest) == (date(2026, 5, 3), date(2026, 7, 15))
    assert [(b.count) for b in dates.bars] == [2, 0, 1]  # May, June, July
    texts = gathered[qs[Kind.SHORT_TEXT].id].texts
    assert [t.text for t in texts] == ["Víc laviček", "Strom", "Lepší osvětlení"]
    assert gathered[qs[Kind.LONG_TEXT].id].answered == 1
    points = gathered[qs[Kind.POINT].id]
    assert points.answered == 3
    assert sorted(points.by_district.values()) == [1, 2]


def test_the_page_shows_the_same_figures_in_tables(app, survey, coordinator):
    c, qs = survey
    response = Browser(app, coordinator).get(url(c))
    assert response.status_code == 200
    page = words(response)
    assert "3 responses: 2 online, 1 on paper." in page
    found = tables(response)
    n = {kind: i for i, kind in enumerate(Kind, start=1)}
    assert found[f"Answers to question {n[Kind.SINGLE]}"][1:] == [
        ["A", "2", "66.7%"],
        ["B", "1", "33.3%"],
        ["C", "0", "0%"],
    ]
    assert found[f"Answers to question {n[Kind.MULTIPLE]}"][1:] == [
        ["A", "2", "66.7%"],
        ["B", "1", "33.3%"],
        ["C", "1", "33.3%"],
    ]
    assert found[f"Answers to question {n[Kind.YES_NO]}"][1:] == [
        ["Yes", "2", "66.7%"],
        ["No", "1", "33.3%"],
    ]
    assert found[f"Rankings in question {n[Kind.RANKING]}, best average rank first"][1:] == [
        ["B", "1.33", "2", "66.7%"],
        ["A", "2", "1", "33.3%"],
        ["C", "2.67", "0", "0%"],
    ]
    assert found[f"Numbers given in question {n[Kind.NUMBER]}"][1] == ["3.5", "10", "11.17", "20"]
    assert found[f"Dates in question {n[Kind.DATE]} by month"][1:] == [
        ["May 2026", "2", "66.7%"],
        ["June 2026", "0", "0%"],
        ["July 2026", "1", "33.3%"],
    ]
    assert found[f"Places marked in question {n[Kind.POINT]} by district"][1:] == [
        ["Jih", "1", "33.3%"],
        ["Sever", "0", "0%"],
        ["Střed", "2", "66.7%"],
    ]
    assert "Average: 3.67 on a scale from 1 to 5." in page
    # The chart says the same to a screen reader, and free text is listed.
    assert 'role="img"' in response.get_data(as_text=True)
    assert "A 2 (66.7%); B 1 (33.3%); C 0 (0%)" in text(response)
    assert "Víc laviček" in page and "Lepší osvětlení" in page
    assert "Rozpracováno" not in page  # an unfinished response does not count
    assert "Map of the answers to" in page  # districts coloured by answers
    # And the places themselves, one dot each (3 answers with a point).
    assert "Map of the places marked in answer to" in page
    assert response.get_data(as_text=True).count("L.circleMarker(") == 3


def test_results_are_for_staff_until_the_close_then_public(app, town, survey, resident):
    c, _qs = survey
    assert Browser(app, resident).get(url(c)).status_code == 403
    assert Browser(app).get(url(c)).status_code == 302  # to the login
    admin = make_user(municipality=town.municipality, roles=(Role.ADMIN,))
    assert Browser(app, admin).get(url(c)).status_code == 200
    page = Browser(app, admin).page(url(c))
    assert "only staff see these results" in page
    closed(c)
    assert Browser(app, resident).get(url(c)).status_code == 200
    public = Browser(app).get(url(c))
    assert public.status_code == 200
    assert "Download the responses" not in text(public)  # the exports are for staff


def test_results_of_another_town_are_not_found(app, survey, other_town):
    c, _qs = survey
    closed(c)
    stranger = make_user(municipality=other_town.municipality, roles=(Role.COORDINATOR,))
    assert Browser(app, stranger).get(f"/jinde/consultations/{c.id}/results").status_code == 404
    assert Browser(app).get("/lipnice/consultations/999999/results").status_code == 404


def test_a_draft_has_no_public_results(app, town, coordinator, resident):
    c = make_consultation(town.municipality, status="draft", by=coordinator)
    assert Browser(app, resident).get(url(c)).status_code == 403
    page = Browser(app, coordinator).page(url(c))
    assert "No response is in yet." in page or "no survey" in page


def _demographics(c, coordinator, town, groups):
    for age_band, count in groups.items():
        for i in range(count):
            s.save_response(
                c,
                {},
                True,
                entered_by=coordinator,
                demographics=s.Demographics(
                    age_band=age_band,
                    gender=Gender.WOMAN if i % 2 else Gender.MAN,
                    district_id=town.districts["Střed"].id,
                ),
            )


def test_small_groups_are_hidden_in_public_but_not_from_staff(app, town, coordinator, resident):
    c = make_consultation(town.municipality, by=coordinator)
    make_survey(c, kinds=(Kind.YES_NO,))
    _demographics(
        c, coordinator, town, {AgeBand.FROM_30: 6, AgeBand.FROM_45: 7, AgeBand.FROM_60: 2}
    )
    stred = town.districts["Střed"]
    for band, residents in (("30-44", 100), ("45-59", 100), ("60-74", 200)):
        db.session.add(
            DistrictPopulation(
                district_id=stred.id, age_band=band, gender="all", residents=residents
            )
        )
    db.session.flush()
    closed(c)
    age = "Respondents by age beside the population"

    staff = tables(Browser(app, coordinator).get(url(c)))[age]
    rows = {r[0]: r[1:] for r in staff[1:]}
    # respondents, share of respondents, residents, share of residents, representation
    assert rows["30 to 44"] == ["6", "40%", "100", "25%", "1.60"]
    assert rows["45 to 59"] == ["7", "46.7%", "100", "25%", "1.87"]
    assert rows["60 to 74"] == ["2", "13.3%", "200", "50%", "0.27"]

    public = tables(Browser(app, resident).get(url(c)))[age]
    rows = {r[0]: r[1:] for r in public[1:]}
    assert rows["60 to 74"][:2] == ["fewer than 5", "–"]
    # The one small group could be worked out from the total: the next smallest hides too.
    assert rows["30 to 44"][:2] == ["fewer than 5", "–"]
    assert rows["45 to 59"] == ["7", "46.7%", "100", "25%", "1.87"]
    page = Browser(app, resident).page(url(c))
    assert "groups of fewer than 5 people" in page
    gender = {
        r[0]: r[1] for r in tables(Browser(app, resident).get(url(c)))["Respondents by gender"][1:]
    }
    assert gender == {"Woman": "7", "Man": "8", "Another gender": "0"}


def test_results_on_both_databases_with_postgis_district_lookup(app, survey, town):
    """The district of each point is found by the database's own locator."""
    c, qs = survey
    result = next(r for r in results.gather(c).questions if r.kind == Kind.POINT)
    assert result.by_district == {town.districts["Střed"].id: 2, town.districts["Jih"].id: 1}


# --- the pure helpers behind the figures ------------------------------------------------


def test_small_cells_hide_one_to_four_and_one_more_when_alone():
    from participation.consultations.rules import small_cells

    assert small_cells({"a": 0, "b": 5, "c": 12}) == set()
    assert small_cells({"a": 2, "b": 3, "c": 12}) == {"a", "b"}
    # One small cell alone could be worked out from the total: the next smallest goes too.
    assert small_cells({"a": 0, "b": 1, "c": 6, "d": 9}) == {"b", "c"}
    assert small_cells({"a": 4}) == {"a"}


def test_by_month_counts_and_keeps_empty_months():
    from participation.consultations.rules import by_month

    days = [date(2025, 12, 31), date(2026, 2, 1), date(2025, 12, 1)]
    assert by_month(days) == [
        (date(2025, 12, 1), 2),
        (date(2026, 1, 1), 0),
        (date(2026, 2, 1), 1),
    ]
    assert by_month([]) == []


def test_first_places_count_the_top_of_each_ranking():
    from participation.consultations.rules import QuestionSpec, first_places

    spec = QuestionSpec(id=1, kind=Kind.RANKING, options=(7, 8, 9))
    values = [Value(options=(8, 7, 9)), Value(options=(8, 9, 7)), Value(options=(9, 8, 7)), Value()]
    assert first_places(spec, values) == {7: 0, 8: 2, 9: 1}
