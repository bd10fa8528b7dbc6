"""Pictures of a project entered directly: staff add them when entering or editing the
project, see them, remove one after a confirmation; the public page shows them as it shows
the copies of an idea's images. Bad files store nothing and keep what was typed; the
pictures lock with the project once voting opens; only this town's staff touch them."""

from __future__ import annotations

import re
from io import BytesIO

import pytest
from PIL import Image
from sqlalchemy import func, select

from participation.budget import services as s
from participation.budget.models import Project, ProjectImage
from participation.core.models import Role
from participation.extensions import db
from tests.factories import make_cycle, make_pool, make_project, make_user
from tests.ideas.helpers import IN_SEVER, Browser, field_value, make_town, png_with_text, text

BASE = "/lipnice/budget/manage"


@pytest.fixture
def staff(app, coordinator):
    return Browser(app, coordinator)


def project_form(pool, **changes) -> dict:
    form = {
        "title": "Lavičky u školy",
        "description": "Deset laviček.",
        "cost": "120000",
        "pool": str(pool.id),
        "cost_note": "Odhad odboru",
        "lat": str(IN_SEVER[0]),
        "lon": str(IN_SEVER[1]),
        "district": "",
        "address": "Park u školy",
        "image_alt": "",
    }
    form.update(changes)
    return form


def post_files(browser, url: str, data: dict, files: list[tuple[bytes, str]]):
    """The form posted as a browser does with a file input: multipart, every file under
    the field's name."""
    payload = {"csrf_token": browser.token, **data}
    payload["images"] = [(BytesIO(content), name) for content, name in files]
    return browser.client.post(url, data=payload, content_type="multipart/form-data")


def stored_files(uploads) -> list[str]:
    folder = uploads / s.IMAGE_FOLDER
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def pictures_of(project_id: int) -> list[ProjectImage]:
    db.session.expire_all()
    return list(
        db.session.scalars(
            select(ProjectImage)
            .where(ProjectImage.project_id == project_id)
            .order_by(ProjectImage.position)
        )
    )


def actions(cycle) -> list[str]:
    """What happened to the cycle after the factory made it."""
    return [entry.action for entry in s.audit_log(cycle) if entry.action != "cycle_created"]


def test_images_are_added_on_entering_and_on_editing_and_shown_publicly(app, town, staff, uploads):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle)
    page = staff.get(f"{BASE}/{cycle.id}/projects/new")
    html = page.get_data(as_text=True)
    assert 'enctype="multipart/form-data"' in html
    assert 'type="file"' in html and "multiple" in html
    assert "Images of the project: 0 of 10." in text(page)

    response = post_files(
        staff,
        f"{BASE}/{cycle.id}/projects/new",
        project_form(pool, image_alt="Park dnes"),
        [(png_with_text(), "park.png")],
    )
    assert response.status_code == 302
    project = db.session.scalar(select(Project).where(Project.title == "Lavičky u školy"))
    [first] = pictures_of(project.id)
    assert (first.alt, first.implementation, first.position) == ("Park dnes", False, 0)
    assert first.filename != "park.png"  # our own name, not the uploader's
    assert sorted([first.filename, first.thumbnail]) == stored_files(uploads)
    with Image.open(uploads / s.IMAGE_FOLDER / first.filename) as image:
        assert image.format == "PNG" and "Comment" not in image.info  # metadata dropped

    edit_url = f"{BASE}/{cycle.id}/projects/{project.id}/edit"
    edit = staff.get(edit_url)
    assert "Images of the project: 1 of 10." in text(edit)
    assert f'src="/lipnice/budget/manage/images/{first.thumbnail}" alt="Park dnes"' in (
        edit.get_data(as_text=True)
    )
    response = post_files(
        staff,
        edit_url,
        project_form(pool, title="Lavičky a stoly", image_alt="Stoly"),
        [(png_with_text((40, 40)), "a.png"), (png_with_text((50, 50)), "b.png")],
    )
    assert response.status_code == 302
    pictures = pictures_of(project.id)
    assert [(p.alt, p.position) for p in pictures] == [("Park dnes", 0), ("Stoly", 1), ("Stoly", 2)]
    assert len(stored_files(uploads)) == 6
    assert actions(cycle) == [
        "project_created",
        "project_images_added",
        "project_changed",
        "project_images_added",
    ]
    entry = s.audit_log(cycle)[-1]
    assert str(pictures[1].id) in entry.detail and str(project.id) in entry.detail

    # The public page (a published cycle) shows them, and serves the files.
    cycle.published_at = cycle.created_at
    db.session.flush()
    visitor = Browser(app)
    public = visitor.get(f"/lipnice/budget/projects/{project.id}").get_data(as_text=True)
    assert "Pictures" in public
    for picture in pictures:
        assert f'src="/lipnice/budget/images/{picture.thumbnail}"' in public
        assert f'href="/lipnice/budget/images/{picture.filename}"' in public
    assert 'alt="Park dnes"' in public and 'alt="Stoly"' in public
    served = visitor.get(f"/lipnice/budget/images/{first.filename}")
    assert served.status_code == 200
    assert served.get_data() == (uploads / s.IMAGE_FOLDER / first.filename).read_bytes()
    served.close()
    # Saving without files keeps the pictures.
    assert staff.post(edit_url, project_form(pool)).status_code == 302
    assert len(pictures_of(project.id)) == 3


@pytest.mark.parametrize(
    "files, message",
    [
        ([(b"%PDF-1.7 not an image", "plan.png")], "This file is not an image we can read."),
        ([(b"%PDF-1.7", "plan.pdf")], "Upload a PNG, JPEG or WebP image."),
        (
            [(png_with_text(), "ok.png"), (png_with_text((100, 100), noise=True), "big.png")],
            "The file is larger than 20 kB. Choose a smaller one.",
        ),
        ([(png_with_text((20, 20)), f"{n}.png") for n in range(11)], "at most 10 images"),
    ],
)
def test_bad_files_store_nothing_and_keep_what_was_typed(
    app, town, staff, uploads, monkeypatch, files, message
):
    monkeypatch.setattr(s, "IMAGE_MAX_BYTES", 20 * 1024)
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle)

    # Entering a project: no project, no file, no audit entry.
    response = post_files(
        staff,
        f"{BASE}/{cycle.id}/projects/new",
        project_form(pool, image_alt="Park dnes"),
        files,
    )
    assert response.status_code == 422
    error = re.search(
        r'<p class="error" id="images-error">(.*?)</p>', response.get_data(as_text=True), re.S
    )
    assert error and message in error.group(1)  # beside the field
    assert field_value(response, "title") == "Lavičky u školy"
    assert field_value(response, "address") == "Park u školy"
    assert field_value(response, "image_alt") == "Park dnes"
    assert db.session.scalar(select(func.count(Project.id))) == 0
    assert stored_files(uploads) == []
    assert actions(cycle) == []

    # Editing one: the other changes are not saved either.
    project = make_project(pool, title="Původní")
    response = post_files(
        staff,
        f"{BASE}/{cycle.id}/projects/{project.id}/edit",
        project_form(pool, title="Nový název"),
        files,
    )
    assert response.status_code == 422
    assert message in text(response)
    assert field_value(response, "title") == "Nový název"
    db.session.expire_all()
    assert project.title == "Původní"
    assert pictures_of(project.id) == []
    assert stored_files(uploads) == []
    assert actions(cycle) == []


def test_the_limit_counts_the_pictures_already_there(app, town, staff, uploads):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle)
    project = make_project(pool, title="Hřiště")
    for n in range(s.PROJECT_IMAGES_MAX - 1):
        project.images.append(ProjectImage(filename=f"{n}.png", thumbnail=f"{n}-t.png", position=n))
    # Photos of the implementation do not count.
    project.images.append(ProjectImage(filename="w.png", thumbnail="w-t.png", implementation=True))
    db.session.flush()
    url = f"{BASE}/{cycle.id}/projects/{project.id}/edit"
    two = [(png_with_text((20, 20)), "a.png"), (png_with_text((20, 20)), "b.png")]
    response = post_files(staff, url, project_form(pool, title="Hřiště"), two)
    assert response.status_code == 422
    assert "A project may have at most 10 images." in text(response)
    assert stored_files(uploads) == []
    assert post_files(staff, url, project_form(pool), two[:1]).status_code == 302
    assert len([p for p in pictures_of(project.id) if not p.implementation]) == 10
    # Full: the page says so and offers no file field.
    page = staff.get(url)
    assert "Images of the project: 10 of 10." in text(page)
    assert 'type="file"' not in page.get_data(as_text=True)


def test_a_picture_is_removed_after_a_confirmation_without_javascript(app, town, staff, uploads):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle)
    project = make_project(pool, title="Hřiště")
    edit_url = f"{BASE}/{cycle.id}/projects/{project.id}/edit"
    post_files(
        staff,
        edit_url,
        project_form(pool, title="Hřiště", image_alt="Hřiště dnes"),
        [(png_with_text(), "a.png"), (png_with_text((60, 60)), "b.png")],
    )
    first, second = pictures_of(project.id)
    first_thumbnail = first.thumbnail
    kept = (second.id, sorted([second.filename, second.thumbnail]))
    url = f"{BASE}/{cycle.id}/projects/{project.id}/images/{first.id}/remove"
    assert f'href="{url}"' in staff.get(edit_url).get_data(as_text=True)  # a plain link

    confirm = staff.get(url)
    assert confirm.status_code == 200
    page = text(confirm)
    assert "Remove this image of “Hřiště”?" in page
    assert f'src="/lipnice/budget/manage/images/{first.thumbnail}"' in confirm.get_data(
        as_text=True
    )
    assert len(pictures_of(project.id)) == 2  # asking is not removing

    # Without the session's CSRF token: refused.
    assert staff.client.post(url, data={}).status_code == 400
    assert len(pictures_of(project.id)) == 2

    response = staff.post(url, {}, follow_redirects=True)
    assert "The image was removed." in text(response)
    assert ([p.id for p in pictures_of(project.id)], stored_files(uploads)) == (
        [kept[0]],
        kept[1],
    )
    assert actions(cycle)[-1] == "project_image_removed"
    assert "Project image removed" in staff.page(f"{BASE}/{cycle.id}/audit")
    assert first_thumbnail not in staff.get(edit_url).get_data(as_text=True)
    assert staff.get(url).status_code == 404  # gone


def test_images_copied_from_an_idea_are_seen_and_removed_the_same_way(app, town, staff, uploads):
    from participation.ideas.rules import IdeaStatus
    from tests.factories import make_call, make_idea

    call = make_call(town.municipality, phase="closed")
    idea = make_idea(call, make_user(), status=IdeaStatus.ACCEPTED, title="Altán")
    cycle = make_cycle(
        town.municipality, phase="preparation", published=False, idea_call_id=call.id
    )
    pool = make_pool(cycle)
    folder = uploads / "ideas"
    folder.mkdir(parents=True)
    (folder / "idea.png").write_bytes(png_with_text())
    from participation.ideas.models import IdeaImage

    idea.images.append(IdeaImage(filename="idea.png", thumbnail="idea.png", alt="Altán dnes"))
    db.session.flush()
    project = s.project_from_idea(cycle, idea, pool, 5000, None)
    [copy] = pictures_of(project.id)
    edit = staff.get(f"{BASE}/{cycle.id}/projects/{project.id}/edit").get_data(as_text=True)
    assert f'src="/lipnice/budget/manage/images/{copy.thumbnail}" alt="Altán dnes"' in edit
    url = f"{BASE}/{cycle.id}/projects/{project.id}/images/{copy.id}/remove"
    assert staff.post(url, {}).status_code == 302
    assert pictures_of(project.id) == []
    assert (folder / "idea.png").exists()  # the idea keeps its own


def test_pictures_lock_with_the_project_once_voting_opened(app, town, staff, uploads):
    cycle = make_cycle(town.municipality, phase="voting")
    pool = make_pool(cycle)
    project = make_project(pool, title="Hřiště")
    project.images.append(ProjectImage(filename="a.png", thumbnail="a-t.png", alt="Dnes"))
    db.session.flush()
    [picture] = pictures_of(project.id)

    response = post_files(
        staff,
        f"{BASE}/{cycle.id}/projects/{project.id}/edit",
        project_form(pool, title="Hřiště"),
        [(png_with_text(), "b.png")],
    )
    assert response.status_code == 302
    refused = "Projects cannot change once voting has opened."
    assert refused in text(staff.get(response.headers["Location"]))
    url = f"{BASE}/{cycle.id}/projects/{project.id}/images/{picture.id}/remove"
    assert refused in text(staff.get(url, follow_redirects=True))
    assert refused in text(staff.post(url, {}, follow_redirects=True))
    assert [p.id for p in pictures_of(project.id)] == [picture.id]
    assert stored_files(uploads) == []
    assert actions(cycle) == []

    # The use cases refuse too, whoever calls them.
    from werkzeug.datastructures import FileStorage

    with pytest.raises(s.BudgetError, match="voting has opened"):
        s.add_project_images(project, None, [FileStorage(BytesIO(png_with_text()), "c.png")])
    with pytest.raises(s.BudgetError, match="voting has opened"):
        s.remove_project_image(picture, None)
    assert len(pictures_of(project.id)) == 1 and stored_files(uploads) == []


def test_only_this_towns_staff_touch_the_pictures(app, town, uploads):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle)
    project = make_project(pool, title="Hřiště")
    project.images.append(ProjectImage(filename="a.png", thumbnail="a-t.png"))
    db.session.flush()
    [picture] = pictures_of(project.id)
    edit = f"{BASE}/{cycle.id}/projects/{project.id}/edit"
    remove = f"{BASE}/{cycle.id}/projects/{project.id}/images/{picture.id}/remove"
    files = [(png_with_text(), "b.png")]

    jinde = make_town("jinde").municipality
    outsiders = [
        Browser(app, make_user(municipality=jinde, roles=(Role.COORDINATOR,))),
        Browser(app, make_user(municipality=town.municipality, roles=(Role.RESIDENT,))),
    ]
    for browser in outsiders:
        assert post_files(browser, edit, project_form(pool), files).status_code == 403
        assert browser.get(remove).status_code == 403
        assert browser.post(remove, {}).status_code == 403
    # Through their own town the objects are not found.
    other = outsiders[0]
    assert (
        post_files(
            other, edit.replace("/lipnice/", "/jinde/"), project_form(pool), files
        ).status_code
        == 404
    )
    assert other.get(remove.replace("/lipnice/", "/jinde/")).status_code == 404
    assert other.post(remove.replace("/lipnice/", "/jinde/"), {}).status_code == 404
    assert [p.id for p in pictures_of(project.id)] == [picture.id]
    assert stored_files(uploads) == []
    assert actions(cycle) == []


def test_a_picture_of_another_project_or_an_implementation_photo_is_404(app, town, staff):
    cycle = make_cycle(town.municipality, phase="preparation", published=False)
    pool = make_pool(cycle)
    mine, other = make_project(pool), make_project(pool)
    other.images.append(ProjectImage(filename="a.png", thumbnail="a-t.png"))
    mine.images.append(ProjectImage(filename="w.png", thumbnail="w-t.png", implementation=True))
    db.session.flush()
    [theirs] = pictures_of(other.id)
    [photo] = pictures_of(mine.id)
    for image in (theirs, photo):
        url = f"{BASE}/{cycle.id}/projects/{mine.id}/images/{image.id}/remove"
        assert staff.get(url).status_code == 404
        assert staff.post(url, {}).status_code == 404
    assert len(pictures_of(other.id)) == 1 and len(pictures_of(mine.id)) == 1
