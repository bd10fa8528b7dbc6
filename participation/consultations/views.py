"""Public pages of consultations and what residents do there: the list, a consultation's
page, answering the survey, commenting on the draft and openly, following; and the
paper forms staff enter."""

from __future__ import annotations

from flask import abort

from participation.consultations import services  # noqa: F401  (also connects its signals)
from participation.core.tenancy import municipality_blueprint

bp = municipality_blueprint("consultations", __name__, url_prefix="/consultations")


@bp.route("/<int:consultation_id>/")
def consultation(consultation_id: int):
    abort(404)  # placeholder until the page is built
