"""Results (for staff at any time, public after the close), answering every input, the
final report and the exports."""

from __future__ import annotations

from participation.core.tenancy import municipality_blueprint

bp = municipality_blueprint("consultations_report", __name__, url_prefix="/consultations")
