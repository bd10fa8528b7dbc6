"""What the ideas tests share: a town with districts, places in it, and a person's browser."""

from __future__ import annotations

import html
import random
import re
from dataclasses import dataclass
from html.parser import HTMLParser
from io import BytesIO

from PIL import Image
from PIL.PngImagePlugin import PngInfo
from shapely.geometry import MultiPolygon, box

from participation.core.models import Municipality
from participation.extensions import db
from participation.maps.models import District
from tests.conftest import csrf_token
from tests.factories import PASSWORD, make_municipality

# name -> (min_lon, min_lat, max_lon, max_lat); a gap is left west and east of Střed.
DISTRICTS = {
    "Střed": (14.645, 49.408, 14.672, 49.420),
    "Sever": (14.630, 49.420, 14.690, 49.440),
    "Jih": (14.630, 49.392, 14.690, 49.408),
}
# (lat, lon)
IN_STRED = (49.414, 14.658)
IN_SEVER = (49.430, 14.660)
IN_JIH = (49.400, 14.660)
IN_THE_GAP = (49.414, 14.635)  # between the districts: not in the town
IN_PRAGUE = (50.087, 14.421)


@dataclass
class Town:
    municipality: Municipality
    districts: dict[str, District]

    @property
    def slug(self) -> str:
        return self.municipality.slug


def make_town(slug: str, name: str | None = None) -> Town:
    municipality = make_municipality(slug=slug, name=name or slug.capitalize())
    districts = {}
    for district_name, bounds in DISTRICTS.items():
        district = District(
            municipality_id=municipality.id,
            name=district_name,
            boundary=MultiPolygon([box(*bounds)]),
        )
        db.session.add(district)
        districts[district_name] = district
    db.session.flush()
    return Town(municipality, districts)


class Browser:
    """One person at a browser: logged in or not, English pages, the session's CSRF token."""

    def __init__(self, app, user=None):
        self.user = user
        self.client = app.test_client()
        self.client.environ_base["HTTP_ACCEPT_LANGUAGE"] = "en"
        # The session keeps its CSRF token through the login.
        self.token = csrf_token(self.client, "/account/login")
        if user is not None:
            response = self.post("/account/login", {"email": user.email, "password": PASSWORD})
            assert response.status_code == 302, f"{user.email} could not log in"

    def get(self, url: str, **kwargs):
        return self.client.get(url, **kwargs)

    def post(self, url: str, data: dict | None = None, **kwargs):
        payload = {"csrf_token": self.token}
        payload.update(data or {})
        return self.client.post(url, data=payload, **kwargs)

    def page(self, url: str) -> str:
        response = self.get(url)
        assert response.status_code == 200, (url, response.status_code)
        return text(response)


def status_of(browser, url: str) -> int:
    """The answer's status, its body closed (a sent file stays open until then)."""
    response = browser.get(url)
    response.close()
    return response.status_code


def text(response) -> str:
    """The page as text a person reads: entities such as &#39; decoded."""
    return html.unescape(response.get_data(as_text=True))


def field_value(response, name: str) -> str | None:
    """The value an <input> or <textarea> named ``name`` shows (what stays typed)."""
    page = response.get_data(as_text=True)
    match = re.search(rf'<textarea[^>]*name="{name}"[^>]*>(.*?)</textarea>', page, re.S)
    if match:
        # A browser drops one newline right after <textarea>.
        return re.sub(r"^\r?\n", "", html.unescape(match.group(1)))
    for tag in re.findall(r"<input[^>]*>", page):
        if re.search(rf'name="{name}"', tag):
            value = re.search(r'value="([^"]*)"', tag)
            return html.unescape(value.group(1)) if value else ""
    return None


def listed_idea_ids(response) -> list[int]:
    """Ids of the ideas in a list page, in the order shown."""
    return [
        int(i)
        for i in re.findall(r'<h3><a href="/[^"/]+/ideas/(\d+)">', response.get_data(as_text=True))
    ]


class _Elements(HTMLParser):
    def __init__(self):
        super().__init__()
        self.elements: list[tuple[str, dict]] = []

    def handle_starttag(self, tag, attrs):
        self.elements.append((tag, dict(attrs)))


def elements(response) -> list[tuple[str, dict]]:
    """Every start tag of the page with its attributes, as a browser would parse them."""
    parser = _Elements()
    parser.feed(response.get_data(as_text=True))
    return parser.elements


def png_with_text(size=(900, 30), noise: bool = False) -> bytes:
    """A small PNG carrying a text chunk (metadata that must not survive the upload)."""
    if noise:  # noise does not compress: the file is about as big as its pixels
        pixels = random.Random(size[0]).randbytes(size[0] * size[1] * 3)
        image = Image.frombytes("RGB", size, pixels)
    else:
        image = Image.new("RGB", size, (30, 120, 60))
    info = PngInfo()
    info.add_text("Comment", "home address: Lipová 12")
    out = BytesIO()
    image.save(out, "PNG", pnginfo=info)
    return out.getvalue()
