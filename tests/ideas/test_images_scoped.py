"""An idea's images are served under their town's address, to whoever may see the idea;
a hidden idea's images, which its page no longer shows, to moderators only. A file name
kept from before (a link, a cache) opened a hidden or draft idea's image, or another
town's, before."""

from __future__ import annotations

from participation.core.models import Role, utcnow
from participation.extensions import db
from participation.ideas.models import IdeaImage
from participation.ideas.rules import IdeaStatus
from tests.factories import make_call, make_idea, make_user
from tests.ideas.helpers import Browser, status_of


def image(uploads, idea, name: str) -> IdeaImage:
    uploads.mkdir(exist_ok=True)
    for file in (f"{name}.jpg", f"{name}-thumb.jpg"):
        (uploads / file).write_bytes(b"\xff\xd8image")
    found = IdeaImage(idea=idea, filename=f"{name}.jpg", thumbnail=f"{name}-thumb.jpg")
    db.session.add(found)
    db.session.flush()
    return found


def test_images_follow_who_may_see_their_idea(app, town, other_town, uploads):
    call = make_call(town.municipality)
    author = make_user(municipality=town.municipality)
    public = image(uploads, make_idea(call, author), "a1")
    draft = image(uploads, make_idea(call, author, status=IdeaStatus.DRAFT), "b2")
    hidden = image(
        uploads, make_idea(call, make_user(), hidden_at=utcnow(), hidden_reason="Spam."), "c3"
    )
    (uploads / "stray.jpg").write_bytes(b"\xff\xd8not ours")
    moderator = make_user(municipality=town.municipality, roles=(Role.MODERATOR,))
    db.session.commit()

    visitor, owner, moderating = Browser(app), Browser(app, author), Browser(app, moderator)
    for name in (public.filename, public.thumbnail):
        assert status_of(visitor, f"/lipnice/ideas/images/{name}") == 200
        assert status_of(visitor, f"/jinde/ideas/images/{name}") == 404
    assert status_of(visitor, f"/lipnice/ideas/images/{draft.filename}") == 404
    assert status_of(owner, f"/lipnice/ideas/images/{draft.filename}") == 200
    assert status_of(visitor, f"/lipnice/ideas/images/{hidden.filename}") == 404
    assert status_of(moderating, f"/lipnice/ideas/images/{hidden.filename}") == 200
    kept = moderating.get(f"/lipnice/ideas/images/{hidden.filename}")
    kept.close()
    assert "private" in kept.headers["Cache-Control"]
    assert "public" not in kept.headers["Cache-Control"]
    assert status_of(visitor, "/lipnice/ideas/images/stray.jpg") == 404
