"""The demo municipality, assembled from each module's demo content."""

from __future__ import annotations

from participation.core import demo as core_demo
from participation.core.models import Municipality
from participation.maps import demo as maps_demo


def load_demo() -> Municipality:
    """Create or complete the demo town; running it again changes nothing."""
    municipality = core_demo.load()
    maps_demo.load(municipality)
    return municipality
