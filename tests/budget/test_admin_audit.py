"""The audit log reads as staff speak: each detail under its form's label, in their
language, times in the town's zone, pools, projects and districts by name (an exploratory
test found raw keys, ids and UTC ISO times on the Czech page)."""

from __future__ import annotations

from datetime import UTC, datetime
from decimal import Decimal

from flask_babel import force_locale, gettext

from participation.budget import services as s
from participation.budget.models import Method, Rule
from tests.budget.test_admin import BASE
from tests.factories import make_cycle
from tests.ideas.helpers import Browser, text


def test_the_audit_log_names_things_in_the_readers_language(app, town, coordinator):
    cycle = make_cycle(town.municipality, phase="preparation")
    s.save_cycle(
        cycle,
        town.municipality,
        coordinator,
        voting_opens_at=datetime(2031, 1, 10, 7, 0, tzinfo=UTC),  # 8:00 in Prague
        voting_closes_at=datetime(2031, 2, 10, 7, 0, tzinfo=UTC),
        year=2031,
    )
    pool = s.save_pool(
        None,
        cycle,
        coordinator,
        district=town.districts["Sever"],
        name="Severní alokace",
        amount=Decimal("500000"),
        method=Method.APPROVAL,
        rule=Rule.GREEDY,
    )
    s.save_project(
        None, cycle, pool, coordinator, title="Lavičky u rybníka", cost=Decimal("250000")
    )
    s.audit(cycle, coordinator, "project_images_added", project=0, images=[900041, 900042])
    staff = Browser(app, coordinator)
    page = staff.page(f"{BASE}/{cycle.id}/audit")
    for shown in (
        "Voting opens",
        "1/10/31, 8:00\u202fAM",  # local time, the reader's format
        "Severní alokace",
        "Sever",  # the pool's district, by name
        "Approval within the pool's amount",
        "Greedy: most votes first, while the money lasts",
        "Lavičky u rybníka",
        "250,000.00",
        "<dt>Year</dt><dd>2031</dd>",
        "<dt>Pictures</dt><dd>#900041, #900042</dd>",
    ):
        assert shown in page, shown
    page = staff.get(f"{BASE}/{cycle.id}/audit").get_data(as_text=True)
    raw_keys = ("<dt>images</dt>", "voting_opens_at", "cost_note", "max_projects", "position")
    for raw in (*raw_keys, "2031-01-10T07:00"):
        assert raw not in page, raw
    assert f"#{pool.id}" not in page

    staff.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "cs"
    page = staff.page(f"{BASE}/{cycle.id}/audit")
    with force_locale("cs"):
        czech = [gettext("Voting opens"), gettext("Approval within the pool's amount")]
    assert czech[0] != "Voting opens"
    for shown in czech + ["10.01.31 8:00", "Severní alokace", "250\xa0000,00\xa0Kč"]:
        assert shown in page, shown
    assert "Approval within the pool's amount" not in text(staff.get(f"{BASE}/{cycle.id}/audit"))
