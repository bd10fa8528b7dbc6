"""Coordinators prepare consultations: details, area, dates, documents, the survey
builder and the draft text; and open, close or publish them."""

from __future__ import annotations

from participation.core.tenancy import municipality_blueprint

bp = municipality_blueprint("consultations_admin", __name__, url_prefix="/consultations")
