"""The public budget pages: the list of cycles, a cycle with its pools in words and its
projects filtered, a project, results (hidden before publishing), downloads and the
implementation list; unpublished cycles and other towns are not found."""

from __future__ import annotations

import csv
import io
import re
from datetime import timedelta
from decimal import Decimal

from participation.budget import services as s
from participation.budget.models import Implementation, Rule, Verification
from participation.core.models import Role, utcnow
from participation.extensions import db
from participation.ideas.rules import IdeaStatus
from tests.factories import make_call, make_cycle, make_idea, make_pool, make_project, make_user
from tests.ideas.helpers import IN_JIH, IN_SEVER, Browser, make_town
from tests.ideas.helpers import text as page_text

INDEX = "/lipnice/budget/"


def cycle_url(cycle) -> str:
    return f"/lipnice/budget/{cycle.id}/"


def test_the_list_shows_current_cycles_first_and_says_when_there_are_none(app, town):
    assert "Lipnice has no participatory budget yet." in Browser(app).page(INDEX)
    old = make_cycle(town.municipality, phase="results", title="Rozpočet 2024", year=2024)
    current = make_cycle(town.municipality, title="Rozpočet 2026")
    make_cycle(town.municipality, published=False, title="Rozpracovaný")
    for cycle in (old, current):
        make_pool(cycle)
    page = Browser(app).page(INDEX)
    assert page.index("Rozpočet 2026") < page.index("Rozpočet 2024")
    assert "Voting open" in page and "Results published" in page
    assert "Rozpracovaný" not in page
    assert 'href="/lipnice/budget/"' in page  # the main navigation links here


def test_a_cycle_page_explains_pools_phases_and_how_to_vote(app, town):
    call = make_call(town.municipality)
    cycle = make_cycle(
        town.municipality,
        title="Rozpočet 2026",
        description="Rozhodněte o **dvou milionech**.",
        verification=Verification.CODE,
        idea_call_id=call.id,
    )
    make_pool(cycle, name="Celé město", amount=Decimal("2000000"))
    make_pool(cycle, name="Pět hlasů", method="k_approval", k=5)
    make_pool(cycle, name="Body", method="points", points=10, points_cap=3)
    make_pool(
        cycle,
        name="Janeček",
        method="d21",
        plus_votes=3,
        minus_votes=1,
        district=town.districts["Jih"],
        changeable=True,
    )
    db.session.refresh(cycle)
    response = Browser(app).get(cycle_url(cycle))
    assert response.status_code == 200
    assert "<strong>dvou milionech</strong>" in response.get_data(as_text=True)
    page = page_text(response)
    for words in (
        "Choose projects up to CZK2,000,000.00.",
        "5 votes: choose up to 5 projects.",
        "10 points to give to the projects you like. At most 3 points per project.",
        "3 plus votes and 1 minus vote; a minus vote only after two plus votes",
        "for the district Jih",
        "You may change your ballot until voting closes.",
        "Voting is open until",
        "residents proposed ideas in a call for ideas",
        "The town office sends every voter a letter with a voting code.",
        "You must be at least 15 years old.",
        "Check my receipt",
        "No projects yet.",
    ):
        assert words in page, words
    assert f'href="/lipnice/ideas/calls/{call.id}"' in page
    assert f'href="/lipnice/budget/{cycle.id}/vote"' in page
    assert "Results" not in page.split("<main")[1].split("Phases")[0]


def test_projects_are_filtered_by_pool_category_district_and_words(app, town):
    cycle = make_cycle(town.municipality)
    s.save_categories(cycle, None, ["Zeleň", "Doprava"])
    green, traffic = sorted(cycle.categories, key=lambda c: c.name != "Zeleň")
    city = make_pool(cycle, name="Celé město")
    south = make_pool(cycle, name="Jižní", district=town.districts["Jih"])
    make_project(
        city,
        title="Alej v Sadové",
        category=green,
        lat=IN_SEVER[0],
        lon=IN_SEVER[1],
        district=town.districts["Sever"],
    )
    make_project(city, title="Přechod u školy", category=traffic, description="Bezpečná cesta.")
    make_project(
        south,
        title="Park na Jihu",
        category=green,
        lat=IN_JIH[0],
        lon=IN_JIH[1],
        district=town.districts["Jih"],
    )
    db.session.refresh(cycle)
    browser = Browser(app)
    page = browser.page(cycle_url(cycle))
    assert "3 projects" in page and "Map of the projects" in page
    for query, expected in (
        (f"pool={south.id}", {"Park na Jihu"}),
        (f"category={green.id}", {"Alej v Sadové", "Park na Jihu"}),
        (f"district={town.districts['Sever'].id}", {"Alej v Sadové"}),
        ("q=cesta", {"Přechod u školy"}),
        ("q=nic+takového", set()),
    ):
        page = browser.page(cycle_url(cycle) + "?" + query)
        listed = {
            t for t in ("Alej v Sadové", "Přechod u školy", "Park na Jihu") if f">{t}</a>" in page
        }
        assert listed == expected, query
        assert "Show all projects" in page
    assert "No project matches these filters." in page


def test_a_project_page_tells_cost_pool_place_idea_and_the_reviewers_note(app, town):
    call = make_call(town.municipality)
    idea = make_idea(call, None, status=IdeaStatus.ACCEPTED, title="Lavičky")
    cycle = make_cycle(town.municipality, idea_call_id=call.id)
    pool = make_pool(cycle, name="Celé město")
    project = make_project(
        pool,
        title="Lavičky v parku",
        cost="250000",
        description="Deset **laviček**.",
        cost_note="Cena podle ceníku 2025.",
        idea_id=idea.id,
        lat=IN_JIH[0],
        lon=IN_JIH[1],
        address="Parková 1",
        district=town.districts["Jih"],
    )
    response = Browser(app).get(f"/lipnice/budget/projects/{project.id}")
    assert response.status_code == 200
    page = page_text(response)
    for words in (
        "Lavičky v parku",
        "CZK250,000.00",
        "Celé město",
        "Jih",
        "Parková 1",
        "The reviewer's note on the cost",
        "Cena podle ceníku 2025.",
        "Map of the project's place",
        "The idea this project was made from",
    ):
        assert words in page, words
    assert f'href="/lipnice/ideas/{idea.id}"' in page
    assert "Winning project" not in page and "Implementation" not in page


# --- results --------------------------------------------------------------------------------


def voted_cycle(town, rule=Rule.MES):
    """A cycle whose voting has closed: one k-approval pool of 300 with three voters.

    Each voter's share is 100. All three support the 300 project, so it is bought; one
    supports the 100 project, who has nothing left after paying: it has no money. Nobody
    supports the 200 project."""
    cycle = make_cycle(town.municipality, title="Rozpočet 2025")
    pool = make_pool(
        cycle, name="Celé město", method="k_approval", k=3, amount=Decimal("300"), rule=rule
    )
    big = make_project(pool, cost="300", title="Velký park", lat=IN_JIH[0], lon=IN_JIH[1])
    small = make_project(pool, cost="100", title="Malá lavička")
    nobody = make_project(pool, cost="200", title="Nikdo nechce")
    db.session.refresh(cycle)
    ballots = [{big.id: 1, small.id: 1}, {big.id: 1}, {big.id: 1}]
    districts = ["Jih", "Jih", "Sever"]
    for ballot, district in zip(ballots, districts, strict=True):
        person = make_user(municipality=town.municipality)
        voter = s.eligibility(cycle, s.AccountProof(person, town.districts[district], 1980))
        s.cast_ballot(pool, ballot, voter)
    now = utcnow()
    cycle.voting_opens_at = now - timedelta(days=20)
    cycle.voting_closes_at = now - timedelta(days=1)
    db.session.flush()
    return cycle, pool, big, small, nobody


def results_urls(cycle, pool) -> list[str]:
    base = f"/lipnice/budget/{cycle.id}/results"
    return [base, f"{base}.csv", f"{base}/{pool.id}.pb"]


def assert_results_pending(response, cycle):
    """A page saying when the results come, and the way back to the cycle; no login."""
    assert response.status_code == 404
    page = page_text(response)
    assert "The results are not published yet" in page
    assert "The results will be published after voting closes." in page
    assert f'href="{cycle_url(cycle)}"' in page
    assert "Velký park" not in page and "Access denied" not in page


def test_results_are_hidden_until_published(app, town):
    cycle, pool, *_ = voted_cycle(town)
    resident = Browser(app, make_user(municipality=town.municipality))
    for browser in (Browser(app), resident):
        for url in results_urls(cycle, pool):
            assert_results_pending(browser.get(url), cycle)
    page = resident.page(cycle_url(cycle))
    assert "Voting closed on" in page and "The results will be published here." in page
    assert f"/lipnice/budget/{cycle.id}/results" not in page


def test_published_results_show_winners_spending_turnout_and_equal_shares_reasons(app, town):
    cycle, pool, big, small, nobody = voted_cycle(town)
    s.publish_results(cycle, None)
    browser = Browser(app)
    assert f"/lipnice/budget/{cycle.id}/results" in browser.page(cycle_url(cycle))
    response = browser.get(f"/lipnice/budget/{cycle.id}/results")
    assert response.status_code == 200
    page = page_text(response)
    for words in (
        "CZK300.00 spent of the pool's CZK300.00 on 1 winning project.",
        "Method of Equal Shares",
        "Funded by Equal Shares in round 1: each of its 3 supporters paid CZK100.00 at most.",
        "3 of them spent all the money they had left.",
        "Not funded: in round 2 its supporters had only CZK0.00 left of the CZK100.00 it costs.",
        "Not funded: nobody voted for it.",
        "Map of the winning projects",
        "Turnout by district",
        "3 people voted.",
        "Map of the number of voters by district",
    ):
        assert words in page, words
    winners_part = page[page.index("Projects of Celé město") :]
    assert winners_part.index("Velký park") < winners_part.index("Malá lavička")
    turnout = page[page.index("Voters by district") :]
    assert 'Jih</th><td class="numeric">2</td>' in turnout
    assert 'Sever</th><td class="numeric">1</td>' in turnout
    assert 'Střed</th><td class="numeric">0</td>' in turnout

    csv = browser.get(f"/lipnice/budget/{cycle.id}/results.csv")
    assert csv.status_code == 200 and csv.mimetype == "text/csv"
    body = csv.get_data(as_text=True)
    assert f"{big.id},Velký park,300.00,CZK,3,1" in body
    assert f"{small.id},Malá lavička,100.00,CZK,1,0" in body
    pb = browser.get(f"/lipnice/budget/{cycle.id}/results/{pool.id}.pb")
    assert pb.status_code == 200
    text = pb.get_data(as_text=True)
    assert text.startswith("META") and "num_votes;3" in text and "VOTES" in text

    # The project's page now tells its votes and fate; the winner its implementation.
    page = browser.page(f"/lipnice/budget/projects/{big.id}")
    assert "Winning project" in page and "3 votes" in page and "Implementation" in page
    page = browser.page(f"/lipnice/budget/projects/{small.id}")
    assert "Not funded" in page and "1 vote" in page and "had only" in page


def test_results_during_voting_say_when_they_come(app, town):
    cycle = make_cycle(town.municipality)
    pool = make_pool(cycle)
    make_project(pool, title="Velký park")
    coordinator = make_user(municipality=town.municipality, roles=(Role.COORDINATOR,))
    for person in (None, make_user(municipality=town.municipality), coordinator):
        browser = Browser(app, person)
        for url in results_urls(cycle, pool):
            response = browser.get(url)
            assert_results_pending(response, cycle)
            assert "Voting is open until" in page_text(response)


def test_a_coordinator_keeps_the_preview_of_counted_results(app, town):
    cycle, pool, *_ = voted_cycle(town)
    coordinator = Browser(app, make_user(municipality=town.municipality, roles=(Role.COORDINATOR,)))
    for url in results_urls(cycle, pool):
        assert coordinator.get(url).status_code == 200, url


def test_the_results_csv_keeps_a_title_from_being_a_formula(app, town):
    """A project made from a resident's idea keeps its title: one starting with "=" must not
    run as a formula in the spreadsheet that opens the results (it went out as it was)."""
    cycle, pool, big, small, nobody = voted_cycle(town)
    big.title = '=HYPERLINK("http://example.com","Velký park")'
    db.session.flush()
    s.publish_results(cycle, None)
    body = Browser(app).get(f"/lipnice/budget/{cycle.id}/results.csv").get_data(as_text=True)
    rows = list(csv.reader(io.StringIO(body.lstrip("\ufeff"))))
    assert rows[0][:4] == ["pool_id", "pool", "project_id", "project"]
    titles = {r[2]: r[3] for r in rows[1:]}
    assert titles[str(big.id)] == "'" + big.title
    assert titles[str(small.id)] == "Malá lavička"


def test_greedy_results_say_why_a_project_without_votes_was_funded(app, town):
    """pabutools' greedy fills the pool: what nobody voted for is bought if money is left."""
    cycle, pool, big, small, nobody = voted_cycle(town, rule=Rule.GREEDY)
    pool.amount = Decimal("600")
    db.session.flush()
    s.publish_results(cycle, None)
    browser = Browser(app)
    page = browser.page(f"/lipnice/budget/{cycle.id}/results")
    words = (
        "Funded: nobody voted for it, but money was left in the pool after the projects "
        "with votes, and it fitted."
    )
    assert page.count("Funded: it had enough votes and still fitted in the pool.") == 2
    assert page.count(words) == 1
    page = browser.page(f"/lipnice/budget/projects/{nobody.id}")
    assert "Winning project" in page and words in page and "enough votes" not in page


def test_equal_shares_completion_says_why_a_project_without_votes_was_funded(app, town):
    cycle, pool, big, small, nobody = voted_cycle(town, rule=Rule.MES_ADD1)
    pool.amount = Decimal("600")
    db.session.flush()
    s.publish_results(cycle, None)
    page = Browser(app).page(f"/lipnice/budget/projects/{nobody.id}")
    assert "Winning project" in page
    assert "Funded from the money Equal Shares left unspent: nobody voted for it" in page
    assert "when its turn came, by votes" not in page


def test_a_greedy_d21_project_with_a_net_score_below_one_is_funded_for_the_money_left(app, town):
    cycle = make_cycle(town.municipality, verification=Verification.CODE)
    pool = make_pool(
        cycle, method="d21", plus_votes=2, minus_votes=1, amount=Decimal("900"), rule=Rule.GREEDY
    )
    a, b, c = (make_project(pool, cost="100", title=f"D21 {n}") for n in "ABC")
    db.session.refresh(cycle)
    voter = s.eligibility(cycle, s.CodeProof(s.generate_voting_codes(cycle, 1, "x", None)[0], None))
    s.cast_ballot(pool, {a.id: 1, b.id: 1, c.id: -1}, voter)
    cycle.voting_opens_at = utcnow() - timedelta(days=20)
    cycle.voting_closes_at = utcnow() - timedelta(days=1)
    db.session.flush()
    s.publish_results(cycle, None)
    page = Browser(app).page(f"/lipnice/budget/projects/{c.id}")
    assert "Winning project" in page
    assert "Funded: it had no more plus votes than minus votes, but money was left" in page


def test_closed_voting_says_so_once_and_links_the_results(app, town):
    cycle, pool, *_ = voted_cycle(town)
    s.publish_results(cycle, None)
    response = Browser(app).get(f"/lipnice/budget/{cycle.id}/vote")
    assert response.status_code == 403
    page = page_text(response)
    assert page.count("Voting closed on") == 1
    assert f'href="/lipnice/budget/{cycle.id}/results"' in page


def test_the_cycle_page_gives_voting_times_in_hours_and_minutes(app, town):
    opens = utcnow().replace(microsecond=0) - timedelta(days=1)
    opens = opens.replace(second=21)
    cycle = make_cycle(town.municipality, voting_opens_at=opens)
    make_pool(cycle)
    browser = Browser(app)
    browser.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "cs"
    page = browser.page(cycle_url(cycle))
    phases = page[page.index("budget-phases") :]
    phases = phases[: phases.index("</ol>")]
    voting = re.search(r"<li>Hlasování: od (.*?) do (.*?)</li>", phases)
    assert voting, phases
    for when in voting.groups():
        assert re.fullmatch(r"\d{1,2}\. \w+ \d{4} \d{1,2}:\d{2}", when), when


def test_a_project_page_during_voting_links_to_the_vote(app, town):
    cycle = make_cycle(town.municipality, title="Rozpočet 2026")
    project = make_project(make_pool(cycle))
    page = Browser(app).page(f"/lipnice/budget/projects/{project.id}")
    link = f'<a class="button" href="/lipnice/budget/{cycle.id}/vote">Vote in Rozpočet 2026</a>'
    assert link in page
    cycle.voting_closes_at = utcnow() - timedelta(days=1)
    db.session.flush()
    page = Browser(app).page(f"/lipnice/budget/projects/{project.id}")
    assert f"/lipnice/budget/{cycle.id}/vote" not in page


def test_greedy_results_explain_what_did_not_fit(app, town):
    cycle, pool, big, small, nobody = voted_cycle(town, rule=Rule.GREEDY)
    s.publish_results(cycle, None)
    page = Browser(app).page(f"/lipnice/budget/{cycle.id}/results")
    assert "in order of votes" in page
    assert "Funded: it had enough votes and still fitted in the pool." in page
    assert "Not funded: when its turn came only CZK0.00 were left in the pool" in page


def test_the_implementation_list_shows_winners_with_status_and_progress(app, town):
    page = Browser(app).page("/lipnice/budget/implementation")
    assert "No winning projects yet" in page
    cycle, pool, big, small, nobody = voted_cycle(town)
    s.publish_results(cycle, None)
    s.update_implementation(big, None, Implementation.IN_PROGRESS, 40, "Stavba běží.")
    s.add_milestone(big, None, "Projektová dokumentace", due=utcnow().date())
    browser = Browser(app)
    page = browser.page("/lipnice/budget/implementation")
    assert "Velký park" in page and "In progress" in page and "40 %" in page
    assert "Malá lavička" not in page
    assert "Map of the winning projects" in page
    page = browser.page(f"/lipnice/budget/projects/{big.id}")
    assert "In progress" in page and "Stavba běží." in page and "Projektová dokumentace" in page


# --- who sees what --------------------------------------------------------------------------


def test_unpublished_cycles_and_other_towns_are_not_found(app, town):
    draft = make_cycle(town.municipality, published=False)
    draft_pool = make_pool(draft)
    draft_project = make_project(draft_pool)
    other = make_town("jinde")
    foreign = make_cycle(other.municipality)
    foreign_project = make_project(make_pool(foreign))
    visitor = Browser(app, make_user(municipality=town.municipality))
    for url in (
        cycle_url(draft),
        f"/lipnice/budget/projects/{draft_project.id}",
        f"/lipnice/budget/{draft.id}/results",
        cycle_url(foreign),
        f"/lipnice/budget/projects/{foreign_project.id}",
        f"/lipnice/budget/{foreign.id}/results",
        f"/lipnice/budget/{foreign.id}/results.csv",
        "/lipnice/budget/999999/",
    ):
        assert visitor.get(url).status_code == 404, url
    assert Browser(app).get(f"/jinde/budget/{foreign.id}/").status_code == 200
