"""A project's pictures are served under their town's address only, and those of an
unpublished cycle to its staff only: a file name found anywhere (another town's page, a
draft shown to staff) opened any town's picture before."""

from __future__ import annotations

from participation.budget.models import ProjectImage
from participation.core.models import Role
from participation.extensions import db
from tests.factories import make_cycle, make_pool, make_project, make_user
from tests.ideas.helpers import Browser, make_town, status_of


def picture(uploads, project, name: str) -> ProjectImage:
    folder = uploads / "budget"
    folder.mkdir(exist_ok=True)
    for file in (f"{name}.jpg", f"{name}-thumb.jpg"):
        (folder / file).write_bytes(b"\xff\xd8picture")
    image = ProjectImage(project=project, filename=f"{name}.jpg", thumbnail=f"{name}-thumb.jpg")
    db.session.add(image)
    db.session.flush()
    return image


def test_pictures_are_served_by_their_town_to_whoever_may_see_the_project(
    app, town, coordinator, uploads
):
    shown = picture(uploads, make_project(make_pool(make_cycle(town.municipality))), "a1")
    draft = make_project(make_pool(make_cycle(town.municipality, published=False)))
    hidden = picture(uploads, draft, "b2")
    (uploads / "budget" / "stray.jpg").write_bytes(b"\xff\xd8not ours")
    jinde = make_town("jinde").municipality
    db.session.commit()

    visitor, staff = Browser(app), Browser(app, coordinator)
    other_staff = Browser(app, make_user(municipality=jinde, roles=(Role.COORDINATOR,)))
    for name in (shown.filename, shown.thumbnail):
        assert status_of(visitor, f"/lipnice/budget/images/{name}") == 200
        assert status_of(visitor, f"/jinde/budget/images/{name}") == 404
        assert status_of(other_staff, f"/jinde/budget/manage/images/{name}") == 404
        assert status_of(staff, f"/lipnice/budget/manage/images/{name}") == 200
    # An unpublished cycle's pictures: its staff only.
    assert status_of(visitor, f"/lipnice/budget/images/{hidden.filename}") == 404
    assert status_of(staff, f"/lipnice/budget/images/{hidden.filename}") == 200
    kept = staff.get(f"/lipnice/budget/images/{hidden.filename}")
    kept.close()
    assert "private" in kept.headers["Cache-Control"]
    assert "public" not in kept.headers["Cache-Control"]
    # A file in the folder that is no picture of a project: nothing.
    for browser, url in (
        (visitor, "/lipnice/budget/images/stray.jpg"),
        (staff, "/lipnice/budget/manage/images/stray.jpg"),
    ):
        assert status_of(browser, url) == 404
