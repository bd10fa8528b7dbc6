"""Residents submit ideas: places, drafts, bad input, safe Markdown, images, duplicates."""

from __future__ import annotations

from io import BytesIO

import pytest
from PIL import ExifTags, Image
from sqlalchemy import func, select

from participation.core.models import Role
from participation.extensions import db
from participation.ideas import services
from participation.ideas.models import Follow, Idea, IdeaImage
from participation.ideas.rules import IdeaStatus
from tests.factories import make_call, make_idea, make_user
from tests.ideas.helpers import (
    IN_JIH,
    IN_PRAGUE,
    IN_SEVER,
    IN_STRED,
    IN_THE_GAP,
    Browser,
    elements,
    field_value,
    png_with_text,
    text,
)


def idea_form(place: tuple[float, float] | None = None, **changes) -> dict:
    form = {
        "title": "Lavička u řeky",
        "description": "Na stezce podél řeky chybí místo k odpočinku.",
        "category": "",
        "district": "",
        "address": "",
        "lat": str(place[0]) if place else "",
        "lon": str(place[1]) if place else "",
        "image_alt": "",
        "submit": "1",
    }
    form.update(changes)
    return {k: v for k, v in form.items() if v is not None}


def ideas_count() -> int:
    return db.session.scalar(select(func.count(Idea.id)))


@pytest.fixture
def resident(town):
    return make_user(municipality=town.municipality, roles=(Role.RESIDENT,))


def submit_url(call) -> str:
    return f"/lipnice/ideas/calls/{call.id}/submit"


# --- places ------------------------------------------------------------------------------


def test_an_idea_with_a_point_takes_the_district_of_the_point(app, town, resident):
    call = make_call(town.municipality, support_threshold=10, categories=("Zeleň",))
    browser = Browser(app, resident)
    assert "Submit an idea" in browser.page(submit_url(call))
    response = browser.post(
        submit_url(call),
        idea_form(
            IN_SEVER,
            category=str(call.categories[0].id),
            district=str(town.districts["Jih"].id),  # the point decides
            address="U lávky",
        ),
    )
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea))
    assert response.headers["Location"] == f"/lipnice/ideas/{idea.id}"
    assert (idea.lat, idea.lon) == IN_SEVER
    assert idea.district.name == "Sever"
    assert idea.address == "U lávky"
    assert idea.category.name == "Zeleň"
    assert idea.author_id == resident.id and idea.municipality_id == town.municipality.id
    assert idea.status == IdeaStatus.COLLECTING and idea.submitted_at is not None
    assert [e.status for e in idea.history] == ["submitted"]
    # The author follows their idea.
    assert db.session.scalar(select(Follow.user_id).where(Follow.idea_id == idea.id)) == resident.id

    page = browser.page(f"/lipnice/ideas/{idea.id}")
    assert "Thank you, your idea is submitted." in page
    assert "Lavička u řeky" in page and "Sever" in page and "Zeleň" in page
    assert "49.43000, 14.66000" in page
    assert "Collecting supporters" in page


def test_without_a_threshold_an_idea_goes_straight_to_review(app, town, resident):
    call = make_call(town.municipality, support_threshold=None)
    Browser(app, resident).post(submit_url(call), idea_form(IN_STRED))
    idea = db.session.scalar(select(Idea))
    assert idea.status == IdeaStatus.UNDER_REVIEW
    assert [e.status for e in idea.history] == ["submitted", "under_review"]


def test_an_idea_with_a_district_only(app, town, resident):
    call = make_call(town.municipality, location_required=True)
    response = Browser(app, resident).post(
        submit_url(call),
        idea_form(district=str(town.districts["Jih"].id), address="Park za školou"),
    )
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea))
    assert idea.lat is None and idea.lon is None
    assert idea.district.name == "Jih" and idea.address == "Park za školou"


def test_a_draft_is_saved_and_submitted_later(app, town, resident):
    call = make_call(town.municipality, support_threshold=5)
    browser = Browser(app, resident)
    response = browser.post(
        submit_url(call), idea_form(IN_JIH, submit=None, save_draft="1", title="Pítko")
    )
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea))
    assert idea.status == IdeaStatus.DRAFT and idea.submitted_at is None
    assert idea.history == []
    page = browser.page(f"/lipnice/ideas/{idea.id}")
    assert "Your draft is saved. Only you can see it." in page
    assert "Pítko" in browser.page("/lipnice/ideas/mine")
    # Not public: not in the list, not for others.
    assert "Pítko" not in Browser(app).page(f"/lipnice/ideas/calls/{call.id}")
    assert Browser(app, make_user()).get(f"/lipnice/ideas/{idea.id}").status_code == 403

    # The author changes the draft, still a draft ...
    edit = browser.get(f"/lipnice/ideas/{idea.id}/edit")
    assert field_value(edit, "title") == "Pítko"
    response = browser.post(
        f"/lipnice/ideas/{idea.id}/edit",
        idea_form(IN_JIH, submit=None, save_draft="1", title="Pítko v parku"),
    )
    assert response.status_code == 302
    db.session.expire_all()
    assert idea.title == "Pítko v parku" and idea.status == IdeaStatus.DRAFT
    # ... and submits it.
    response = browser.post(f"/lipnice/ideas/{idea.id}/submit")
    assert response.headers["Location"] == f"/lipnice/ideas/{idea.id}"
    db.session.expire_all()
    assert idea.status == IdeaStatus.COLLECTING and idea.submitted_at is not None
    assert [e.status for e in idea.history] == ["submitted"]
    assert "Pítko v parku" in Browser(app).page(f"/lipnice/ideas/calls/{call.id}")
    # Submitted: no longer editable.
    assert browser.get(f"/lipnice/ideas/{idea.id}/edit").status_code == 403


def test_a_call_that_needs_a_place_says_so_and_keeps_the_input(app, town, resident):
    call = make_call(town.municipality, location_required=True)
    browser = Browser(app, resident)
    response = browser.post(submit_url(call), idea_form(None))
    assert response.status_code == 200
    assert "Click the map to mark the place, or choose a district." in text(response)
    assert field_value(response, "title") == "Lavička u řeky"
    assert ideas_count() == 0
    # A draft submitted later is checked too.
    call.location_required = False
    draft = make_idea(call, resident, status=IdeaStatus.DRAFT)
    call.location_required = True
    db.session.flush()
    response = browser.post(f"/lipnice/ideas/{draft.id}/submit", follow_redirects=True)
    assert "This call needs a place: click the map or choose a district." in text(response)
    db.session.expire_all()
    assert draft.status == IdeaStatus.DRAFT


def test_a_call_for_some_districts_takes_places_in_them_only(app, town, resident):
    sever, jih = town.districts["Sever"], town.districts["Jih"]
    call = make_call(town.municipality, districts=(sever, jih))
    browser = Browser(app, resident)
    form = browser.get(submit_url(call)).get_data(as_text=True)
    assert ">Jih</option>" in form and ">Sever</option>" in form
    assert ">Střed</option>" not in form

    response = browser.post(submit_url(call), idea_form(IN_STRED))
    assert response.status_code == 200
    assert '<a href="#district">District: Choose one of the districts in the list.</a>' in text(
        response
    )
    assert field_value(response, "title") == "Lavička u řeky"
    response = browser.post(submit_url(call), idea_form(district=str(town.districts["Střed"].id)))
    assert response.status_code == 200 and "Not a valid choice." in text(response)
    assert ideas_count() == 0

    for accepted in (
        idea_form(IN_SEVER, title="Na Severu"),
        idea_form(district=str(jih.id), title="Na Jihu"),
        idea_form(title="Kdekoli"),  # no place at all: the call does not need one
    ):
        assert browser.post(submit_url(call), accepted).status_code == 302, accepted["title"]
    assert ideas_count() == 3


@pytest.mark.parametrize("place", [IN_PRAGUE, IN_THE_GAP], ids=["prague", "gap"])
def test_a_point_outside_the_town_is_refused_and_the_input_kept(app, town, resident, place):
    call = make_call(town.municipality)
    response = Browser(app, resident).post(
        submit_url(call),
        idea_form(place, description="Dlouhý popis,\nna dva řádky."),
    )
    assert response.status_code == 200
    assert "This place is outside Lipnice. Choose a place inside it." in text(response)
    assert field_value(response, "title") == "Lavička u řeky"
    assert field_value(response, "description") == "Dlouhý popis,\nna dva řádky."
    assert field_value(response, "lat") == str(place[0])
    assert ideas_count() == 0


def test_half_a_point_is_refused(app, town, resident):
    call = make_call(town.municipality)
    response = Browser(app, resident).post(submit_url(call), idea_form(None, lat="49.41"))
    assert "Give both latitude and longitude, or click the map." in text(response)
    assert ideas_count() == 0


def test_a_title_too_long_and_an_empty_description_are_refused_keeping_the_input(
    app, town, resident
):
    call = make_call(town.municipality)
    long_title = "Přechod " + "u školy " * 15  # 128 characters
    response = Browser(app, resident).post(
        submit_url(call), idea_form(IN_STRED, title=long_title, description="")
    )
    assert response.status_code == 200
    page = text(response)
    assert "Field cannot be longer than 120 characters." in page
    assert "This field is required." in page
    assert 'class="error-summary"' in page
    assert field_value(response, "title") == long_title
    assert field_value(response, "lat") == str(IN_STRED[0])
    assert ideas_count() == 0


def test_a_script_in_the_idea_is_rendered_harmless(app, town, resident):
    call = make_call(town.municipality)
    description = "\n\n".join(
        [
            '<script>alert("desc")</script>',
            "<img src=x onerror=alert(1)>",
            "[click me](javascript:alert(2))",
            '<a href="javascript:alert(3)">raw link</a>',
            "<p onclick=alert(4)>paragraph</p>",
            "**tučně** and [a web](https://example.org/)",
        ]
    )
    browser = Browser(app, resident)
    browser.post(
        submit_url(call),
        idea_form(IN_STRED, title="<b onmouseover=alert(5)>Lavička</b>", description=description),
    )
    idea = db.session.scalar(select(Idea))
    browser.post(
        f"/lipnice/ideas/{idea.id}/comments",
        {"body": "<script>alert(6)</script> [x](javascript:y)"},
    )
    for url in (f"/lipnice/ideas/{idea.id}", f"/lipnice/ideas/calls/{call.id}"):
        response = browser.get(url)
        for tag, attrs in elements(response):
            assert not any(name.startswith("on") for name in attrs), (url, tag, attrs)
            for name in ("href", "src", "action"):
                value = (attrs.get(name) or "").strip().lower()
                assert not value.startswith("javascript:"), (url, tag, attrs)
            if tag == "script":
                assert attrs.get("nonce"), (url, attrs)  # only our own scripts run
        page = response.get_data(as_text=True)
        assert "<script>alert" not in page and "<b onmouseover" not in page
    page = browser.get(f"/lipnice/ideas/{idea.id}").get_data(as_text=True)
    assert "<strong>tučně</strong>" in page
    assert '<a href="https://example.org/" rel="nofollow noopener">a web</a>' in page
    assert "&lt;b onmouseover=alert(5)&gt;Lavička&lt;/b&gt;" in page


# --- images ------------------------------------------------------------------------------


def jpeg_with_gps(size=(120, 80)) -> bytes:
    image = Image.new("RGB", size, (200, 100, 50))
    exif = Image.Exif()
    exif[ExifTags.Base.Make] = "PhoneMaker"
    exif[ExifTags.Base.Orientation] = 6  # taken sideways: shown rotated by 90°
    gps = exif.get_ifd(ExifTags.IFD.GPSInfo)
    gps[ExifTags.GPS.GPSLatitudeRef] = "N"
    gps[ExifTags.GPS.GPSLatitude] = (49.0, 24.0, 52.0)
    gps[ExifTags.GPS.GPSLongitudeRef] = "E"
    gps[ExifTags.GPS.GPSLongitude] = (14.0, 39.0, 28.0)
    out = BytesIO()
    image.save(out, "JPEG", exif=exif)
    return out.getvalue() + b"TRAILING-SECRET"


def stored_files(folder) -> list[str]:
    return sorted(p.name for p in folder.iterdir()) if folder.exists() else []


def test_images_are_stored_re_encoded_without_metadata_and_with_thumbnails(
    app, town, resident, uploads
):
    call = make_call(town.municipality, max_images=2)
    jpeg = jpeg_with_gps()
    with Image.open(BytesIO(jpeg)) as original:
        assert original.getexif().get_ifd(ExifTags.IFD.GPSInfo)  # it really has GPS
    browser = Browser(app, resident)
    response = browser.post(
        submit_url(call),
        idea_form(
            IN_STRED,
            image_alt="Místo u řeky",
            images=[(BytesIO(jpeg), "IMG_0001.JPG"), (BytesIO(png_with_text()), "plan.png")],
        ),
    )
    assert response.status_code == 302
    idea = db.session.scalar(select(Idea))
    photo, plan = idea.images
    assert (photo.position, plan.position) == (0, 1)
    assert photo.alt == "Místo u řeky"
    assert photo.filename.endswith(".jpg") and plan.filename.endswith(".png")
    assert "IMG_0001" not in photo.filename  # our own names, not the uploader's
    assert len(stored_files(uploads)) == 4

    stored = (uploads / photo.filename).read_bytes()
    assert b"PhoneMaker" not in stored and b"TRAILING-SECRET" not in stored
    with Image.open(uploads / photo.filename) as image:
        assert image.format == "JPEG"
        assert dict(image.getexif()) == {}
        assert "exif" not in image.info
        assert image.size == (80, 120)  # turned upright, then the orientation dropped
    with Image.open(uploads / plan.filename) as image:
        assert image.format == "PNG" and "Comment" not in image.info
    assert b"Lipov" not in (uploads / plan.filename).read_bytes()
    with Image.open(uploads / plan.thumbnail) as thumb:
        assert max(thumb.size) == services.THUMBNAIL_SIDE and thumb.size == (400, 13)
    assert (uploads / photo.thumbnail).exists()

    page = browser.get(f"/lipnice/ideas/{idea.id}").get_data(as_text=True)
    assert f'src="/lipnice/ideas/images/{photo.thumbnail}" alt="Místo u řeky"' in page
    served = browser.get(f"/lipnice/ideas/images/{photo.filename}")
    assert served.status_code == 200 and served.get_data() == stored
    served.close()


def test_an_oversized_image_is_refused_and_nothing_is_saved(
    app, town, resident, uploads, monkeypatch
):
    monkeypatch.setattr(services, "IMAGE_MAX_BYTES", 20 * 1024)
    big = png_with_text((100, 100), noise=True)
    assert 20 * 1024 < len(big) < 100 * 1024
    call = make_call(town.municipality)
    response = Browser(app, resident).post(
        submit_url(call),
        idea_form(
            IN_STRED,
            images=[(BytesIO(png_with_text()), "small.png"), (BytesIO(big), "big.png")],
        ),
    )
    assert response.status_code == 200
    page = text(response)
    assert "The file is larger than 20 kB. Choose a smaller one." in page
    assert field_value(response, "title") == "Lavička u řeky"
    assert ideas_count() == 0
    assert db.session.scalar(select(func.count(IdeaImage.id))) == 0
    assert stored_files(uploads) == []  # the small one stored first is removed again


@pytest.mark.parametrize(
    "name, content, message",
    [
        ("plan.png", b"%PDF-1.7 this is not an image", "This file is not an image we can read."),
        ("plan.pdf", b"%PDF-1.7", "Upload a PNG, JPEG or WebP image."),
        ("anim.gif", b"GIF89a", "Upload a PNG, JPEG or WebP image."),
    ],
)
def test_a_file_that_is_not_an_image_is_refused(
    app, town, resident, uploads, name, content, message
):
    call = make_call(town.municipality)
    response = Browser(app, resident).post(
        submit_url(call), idea_form(IN_STRED, images=[(BytesIO(content), name)])
    )
    assert response.status_code == 200
    assert message in text(response)
    assert field_value(response, "title") == "Lavička u řeky"
    assert ideas_count() == 0
    assert stored_files(uploads) == []


def test_a_gif_renamed_to_png_is_refused_by_its_content(app, town, resident, uploads):
    out = BytesIO()
    Image.new("P", (10, 10)).save(out, "GIF")
    call = make_call(town.municipality)
    response = Browser(app, resident).post(
        submit_url(call), idea_form(IN_STRED, images=[(BytesIO(out.getvalue()), "photo.png")])
    )
    assert "Upload a PNG, JPEG or WebP image." in text(response)
    assert ideas_count() == 0


def test_more_images_than_the_call_allows_are_refused(app, town, resident, uploads):
    call = make_call(town.municipality, max_images=1)
    browser = Browser(app, resident)
    two = [(BytesIO(png_with_text()), "a.png"), (BytesIO(png_with_text()), "b.png")]
    response = browser.post(submit_url(call), idea_form(IN_STRED, images=two))
    assert response.status_code == 200
    # Said at the images field, and in the summary linking to it.
    assert '<a href="#images">Images: An idea may have at most 1 image.</a>' in text(response)
    assert ideas_count() == 0 and stored_files(uploads) == []

    # A draft with one image cannot take another.
    browser.post(
        submit_url(call),
        idea_form(
            IN_STRED, submit=None, save_draft="1", images=[(BytesIO(png_with_text()), "a.png")]
        ),
    )
    idea = db.session.scalar(select(Idea))
    assert len(idea.images) == 1
    response = browser.post(
        f"/lipnice/ideas/{idea.id}/edit",
        idea_form(
            IN_STRED, submit=None, save_draft="1", images=[(BytesIO(png_with_text()), "b.png")]
        ),
    )
    assert "An idea may have at most 1 image." in text(response)
    db.session.expire_all()
    assert len(idea.images) == 1 and len(stored_files(uploads)) == 2

    # After removing it, another fits.
    browser.post(f"/lipnice/ideas/{idea.id}/images/{idea.images[0].id}/remove")
    assert stored_files(uploads) == []
    browser.post(
        f"/lipnice/ideas/{idea.id}/edit",
        idea_form(
            IN_STRED, submit=None, save_draft="1", images=[(BytesIO(png_with_text()), "b.png")]
        ),
    )
    db.session.expire_all()
    assert len(idea.images) == 1 and len(stored_files(uploads)) == 2


# --- duplicates --------------------------------------------------------------------------


def test_similar_ideas_nearby_are_shown_before_submitting(app, town, resident):
    call = make_call(town.municipality, duplicate_distance_m=150)
    existing = make_idea(
        call, make_user(), title="Lavička u řeky", lat=IN_STRED[0], lon=IN_STRED[1]
    )
    make_idea(call, make_user(), title="Lavička u řeky", lat=IN_SEVER[0], lon=IN_SEVER[1])
    make_idea(call, make_user(), title="Přechod u školy", lat=IN_STRED[0], lon=IN_STRED[1])
    about_50_m_away = (IN_STRED[0] + 0.00045, IN_STRED[1])
    browser = Browser(app, resident)
    form = idea_form(about_50_m_away, title="Lavicka u reky", description="Nová lavička.")

    response = browser.post(submit_url(call), form)
    assert response.status_code == 200
    page = text(response)
    assert "Similar ideas already exist" in page
    assert f'href="/lipnice/ideas/{existing.id}"' in page
    assert "Přechod u školy" not in page  # near, but another idea
    assert "My idea is different from the similar ones" in page
    assert field_value(response, "title") == "Lavicka u reky"
    assert field_value(response, "description") == "Nová lavička."
    assert ideas_count() == 3

    # Saving a draft does not ask.
    response = browser.post(submit_url(call), {**form, "submit": "", "save_draft": "1"})
    assert response.status_code == 302
    assert ideas_count() == 4

    response = browser.post(submit_url(call), {**form, "confirm_not_duplicate": "y"})
    assert response.status_code == 302
    assert ideas_count() == 5


def test_no_duplicates_far_away_or_in_another_call(app, town, resident):
    call = make_call(town.municipality, duplicate_distance_m=150)
    other_call = make_call(town.municipality)
    make_idea(call, make_user(), title="Lavička u řeky", lat=IN_SEVER[0], lon=IN_SEVER[1])
    make_idea(other_call, make_user(), title="Lavička u řeky", lat=IN_STRED[0], lon=IN_STRED[1])
    make_idea(call, make_user(), title="Lavička u řeky", status=IdeaStatus.DRAFT)
    response = Browser(app, resident).post(submit_url(call), idea_form(IN_STRED))
    assert response.status_code == 302


# --- limits ------------------------------------------------------------------------------


def test_the_limit_per_person(app, town, resident):
    call = make_call(town.municipality, max_ideas_per_person=1)
    browser = Browser(app, resident)
    # Two drafts while under the limit, then one submitted.
    for title in ("První", "Druhý"):
        browser.post(
            submit_url(call), idea_form(IN_STRED, title=title, submit=None, save_draft="1")
        )
    first, second = db.session.scalars(select(Idea).order_by(Idea.id)).all()
    browser.post(f"/lipnice/ideas/{first.id}/submit")

    response = browser.get(submit_url(call))
    assert response.status_code == 403
    assert "You have submitted as many ideas as this call allows." in text(response)
    assert browser.post(submit_url(call), idea_form(IN_JIH)).status_code == 403

    response = browser.post(f"/lipnice/ideas/{second.id}/submit", follow_redirects=True)
    assert "You cannot submit more ideas into this call." in text(response)
    # Not through the draft's form either: the changes are kept as a draft.
    response = browser.post(
        f"/lipnice/ideas/{second.id}/edit", idea_form(IN_JIH, title="Druhý, upravený")
    )
    assert response.status_code == 302
    page = browser.page(response.headers["Location"])
    assert "You cannot submit more ideas into this call." in page
    db.session.expire_all()
    assert second.status == IdeaStatus.DRAFT and second.title == "Druhý, upravený"
    assert (
        db.session.scalar(select(func.count(Idea.id)).where(Idea.status != IdeaStatus.DRAFT)) == 1
    )
    # Another person is not limited by it.
    assert Browser(app, make_user()).get(submit_url(call)).status_code == 200


def test_nothing_is_submitted_into_a_closed_call(app, town, resident):
    call = make_call(town.municipality, phase="closed")
    browser = Browser(app, resident)
    response = browser.get(submit_url(call))
    assert response.status_code == 403 and "The call closed on" in text(response)
    assert browser.post(submit_url(call), idea_form(IN_STRED)).status_code == 403
    assert ideas_count() == 0


def test_submitting_a_draft_checks_for_similar_ideas_first(app, town, resident):
    call = make_call(town.municipality)
    lat, lon = IN_JIH
    existing = make_idea(call, make_user(), title="Pítko v parku", lat=float(lat), lon=float(lon))
    browser = Browser(app, resident)
    browser.post(
        submit_url(call),
        idea_form(IN_JIH, submit=None, save_draft="1", title="Pítko v parku u školy"),
    )
    draft = db.session.scalar(select(Idea).where(Idea.id != existing.id))
    response = browser.post(f"/lipnice/ideas/{draft.id}/submit")
    assert response.headers["Location"] == f"/lipnice/ideas/{draft.id}/edit"
    db.session.expire_all()
    assert draft.status == IdeaStatus.DRAFT
    page = browser.page(f"/lipnice/ideas/{draft.id}/edit")
    assert "Similar ideas already exist" in page
