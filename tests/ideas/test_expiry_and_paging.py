"""Ideas that miss their supporters expire; long lists page without counting everything."""

from __future__ import annotations

from datetime import timedelta

from participation.core.models import utcnow
from participation.extensions import db
from participation.ideas import services
from participation.ideas.rules import IdeaStatus
from tests.factories import make_call, make_idea, make_user


def test_ideas_below_the_threshold_expire_after_the_deadline(app, town, runner, outbox):
    author = make_user(municipality=town.municipality)
    call = make_call(
        town.municipality, support_threshold=3, support_deadline=utcnow() - timedelta(hours=1)
    )
    short = make_idea(call, author, support_count=2)
    enough = make_idea(call, author, support_count=3)  # (a stale counter; not ours to move)
    other = make_call(
        town.municipality, support_threshold=3, support_deadline=utcnow() + timedelta(days=1)
    )
    waiting = make_idea(other, author, support_count=0)
    services.follow(short, author)
    result = runner.invoke(args=["ideas", "expire"])
    assert result.exit_code == 0, result.output
    assert "1 ideas" in result.output
    db.session.expire_all()
    assert short.status == IdeaStatus.EXPIRED
    assert short.history[-1].status == IdeaStatus.EXPIRED and "3" in short.history[-1].note
    assert enough.status == IdeaStatus.COLLECTING and waiting.status == IdeaStatus.COLLECTING
    assert [m.to for m in outbox] == [author.email]
    assert runner.invoke(args=["ideas", "expire"]).output.startswith("0 ideas")


def test_a_long_list_pages_with_a_capped_count(app, town, client, monkeypatch):
    monkeypatch.setattr(services, "COUNT_CAP", 30)
    call = make_call(town.municipality)
    author = make_user(municipality=town.municipality)
    for i in range(45):
        make_idea(call, author, title=f"Lavička {i}")
    first = services.browse(call, services.IdeaFilters(), 1)
    assert len(first.items) == 20 and first.has_next and first.capped and first.total == 30
    html = client.get(f"/{town.slug}/ideas/calls/{call.id}").get_data(as_text=True)
    assert "More than 30 ideas" in html
    last = services.browse(call, services.IdeaFilters(), 3)
    assert len(last.items) == 5 and not last.has_next and last.total == 45
    assert not services.browse(call, services.IdeaFilters(), 4).items
    searched = services.browse(call, services.IdeaFilters(q="Lavička"), 1)
    assert searched.total is None and searched.has_next
    ids = [i.id for p in (1, 2, 3) for i in services.browse(call, services.IdeaFilters(), p).items]
    assert len(ids) == len(set(ids)) == 45  # each idea on exactly one page
