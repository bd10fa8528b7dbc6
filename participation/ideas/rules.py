"""Pure rules of idea calls: phases, statuses, supports, appeals and likely duplicates.

No Flask and no database: plain values in, plain values out.
"""

from __future__ import annotations

import enum
import math
import unicodedata
from collections.abc import Iterable
from datetime import datetime, timedelta
from difflib import SequenceMatcher

COMMENT_EDIT_MINUTES = 15
EARTH_RADIUS_M = 6_371_000


class Phase(enum.StrEnum):
    UPCOMING = "upcoming"
    OPEN = "open"
    CLOSED = "closed"


class IdeaStatus(enum.StrEnum):
    DRAFT = "draft"
    COLLECTING = "collecting"  # submitted, gathering supporters
    UNDER_REVIEW = "under_review"
    ACCEPTED = "accepted"
    REJECTED = "rejected"
    MERGED = "merged"
    APPEALED = "appealed"
    EXPIRED = "expired"  # did not reach its supporters in time


PUBLIC_STATUSES = frozenset(IdeaStatus) - {IdeaStatus.DRAFT}
DECIDED_STATUSES = frozenset({IdeaStatus.ACCEPTED, IdeaStatus.REJECTED, IdeaStatus.MERGED})


def call_phase(opens_at: datetime, closes_at: datetime, now: datetime) -> Phase:
    """Submission is open from ``opens_at`` (inclusive) to ``closes_at`` (exclusive)."""
    if now < opens_at:
        return Phase.UPCOMING
    if now < closes_at:
        return Phase.OPEN
    return Phase.CLOSED


def status_on_submission(threshold: int | None) -> IdeaStatus:
    """Without a supporter threshold an idea goes straight to review."""
    return IdeaStatus.COLLECTING if threshold else IdeaStatus.UNDER_REVIEW


def status_after_supports(status: IdeaStatus, supports: int, threshold: int | None) -> IdeaStatus:
    """Reaching the threshold moves a collecting idea to review by itself."""
    if status == IdeaStatus.COLLECTING and threshold and supports >= threshold:
        return IdeaStatus.UNDER_REVIEW
    return status


def support_open(status: IdeaStatus, deadline: datetime | None, now: datetime) -> bool:
    """Supports can be given and withdrawn while the idea collects them, until the deadline."""
    if status != IdeaStatus.COLLECTING:
        return False
    return deadline is None or now < deadline


def expired(
    status: IdeaStatus,
    supports: int,
    threshold: int | None,
    deadline: datetime | None,
    now: datetime,
) -> bool:
    """A collecting idea whose deadline passed below the threshold."""
    return (
        status == IdeaStatus.COLLECTING
        and threshold is not None
        and deadline is not None
        and now >= deadline
        and supports < threshold
    )


def appeal_deadline(decided_at: datetime, appeal_days: int) -> datetime:
    return decided_at + timedelta(days=appeal_days)


def appeal_open(
    status: IdeaStatus,
    decided_at: datetime | None,
    appeal_days: int,
    now: datetime,
    already_appealed: bool,
) -> bool:
    """The author may appeal a rejection once, within the call's number of days."""
    return (
        status == IdeaStatus.REJECTED
        and decided_at is not None
        and not already_appealed
        and now < appeal_deadline(decided_at, appeal_days)
    )


def comment_editable(
    created_at: datetime, now: datetime, minutes: int = COMMENT_EDIT_MINUTES
) -> bool:
    return now - created_at < timedelta(minutes=minutes)


def distance_m(lat1: float, lon1: float, lat2: float, lon2: float) -> float:
    """Great-circle distance in metres (haversine)."""
    p1, p2 = math.radians(lat1), math.radians(lat2)
    dp, dl = p2 - p1, math.radians(lon2 - lon1)
    a = math.sin(dp / 2) ** 2 + math.cos(p1) * math.cos(p2) * math.sin(dl / 2) ** 2
    return 2 * EARTH_RADIUS_M * math.asin(min(1.0, math.sqrt(a)))


def bbox_around(lat: float, lon: float, metres: float) -> tuple[float, float, float, float]:
    """(min_lat, max_lat, min_lon, max_lon) of a box that contains the circle."""
    dlat = math.degrees(metres / EARTH_RADIUS_M)
    dlon = math.degrees(metres / (EARTH_RADIUS_M * max(math.cos(math.radians(lat)), 1e-6)))
    return lat - dlat, lat + dlat, lon - dlon, lon + dlon


# Letters whose stroke is not a combining mark, so NFKD keeps them: people who type
# without a Polish keyboard write "lawka" for "ławka".
_STROKED = str.maketrans({"ł": "l", "đ": "d", "ø": "o"})


def normalise_title(title: str) -> str:
    """Lower case, without accents and punctuation: 'Lavička u řeky!' -> 'lavicka u reky'."""
    decomposed = unicodedata.normalize("NFKD", title.casefold().translate(_STROKED))
    letters = "".join(c for c in decomposed if not unicodedata.combining(c))
    return " ".join("".join(c if c.isalnum() else " " for c in letters).split())


def title_similarity(a: str, b: str) -> float:
    """0..1: the better of character similarity and shared words (of 3+ letters)."""
    na, nb = normalise_title(a), normalise_title(b)
    if not na or not nb:
        return 0.0
    ratio = SequenceMatcher(None, na, nb).ratio()
    wa = {w for w in na.split() if len(w) >= 3}
    wb = {w for w in nb.split() if len(w) >= 3}
    overlap = len(wa & wb) / min(len(wa), len(wb)) if wa and wb else 0.0
    return max(ratio, overlap)


def likely_duplicates(
    title: str,
    lat: float | None,
    lon: float | None,
    others: Iterable[tuple[int, str, float | None, float | None]],
    within_m: float,
    min_similarity: float = 0.6,
) -> list[int]:
    """Ids of ideas with a similar title, near the place when both have one; best first."""
    scored = []
    for other_id, other_title, other_lat, other_lon in others:
        similarity = title_similarity(title, other_title)
        if similarity < min_similarity:
            continue
        if None not in (lat, lon, other_lat, other_lon):
            if distance_m(lat, lon, other_lat, other_lon) > within_m:
                continue
        scored.append((-similarity, other_id))
    return [other_id for _, other_id in sorted(scored)]
