"""A voter who declares another district after voting in one district's pool is told so
beside the district they chose, not beside their code (an exploratory test saw the
refusal under the code, as if the code were wrong)."""

from __future__ import annotations

from participation.budget import services as s
from participation.budget.models import Verification
from participation.extensions import db
from tests.budget.test_ballot import ballot_url, vote_url
from tests.factories import make_cycle, make_pool, make_project
from tests.ideas.helpers import Browser, text


def test_another_district_is_refused_beside_the_district(app, town):
    cycle = make_cycle(town.municipality, verification=Verification.CODE)
    sever = make_pool(cycle, district=town.districts["Sever"])
    make_project(make_pool(cycle, district=town.districts["Jih"]))
    bench = make_project(sever)
    db.session.refresh(cycle)
    [code] = s.generate_voting_codes(cycle, 1, "town", None)  # a letter to the whole town
    db.session.commit()
    voter = Browser(app)
    chosen = {"code": code, "district": str(town.districts["Sever"].id)}
    assert voter.post(vote_url(cycle), chosen).status_code == 302
    cast = voter.post(ballot_url(cycle, sever), {"action": "cast", f"p-{bench.id}": "1"})
    assert cast.status_code == 200
    voter.post(f"{vote_url(cycle)}/forget", {})

    again = {"code": code, "district": str(town.districts["Jih"].id)}
    response = voter.post(vote_url(cycle), again)
    assert response.status_code == 422
    html = response.get_data(as_text=True)
    assert "You have already voted in another district's pool." in text(response)
    assert 'id="district-error"' in html and 'id="code-error"' not in html
