"""Read and write Pabulib ``.pb`` files, and turn them into the inputs of :mod:`.rules`.

A ``.pb`` file (https://pabulib.org/format) has three sections, each a ``;``-separated table
that starts with a line holding only the section's name and then a header line:

``META``
    ``key;value`` rows: ``budget``, ``vote_type`` (approval, choose-1, ordinal, cumulative,
    scoring), ``num_projects``, ``num_votes``, ``min_length``, ``max_length``, ...
``PROJECTS``
    ``project_id;cost;votes;...`` (often ``score``, ``name``, ``selected``).
``VOTES``
    ``voter_id;vote;...`` where ``vote`` is a comma-separated list of project ids (best first
    for ordinal ballots) and ``points`` the matching comma-separated points for cumulative and
    scoring ballots.

Fields may be quoted with ``"`` (a ``""`` inside stands for one quote). Values are stripped of
surrounding white space, as the reference parser (pabutools) does. Files ending in ``.gz`` are
read and written gzip-compressed. Pure: no Flask and no database.
"""

from __future__ import annotations

import csv
import gzip
import io
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from fractions import Fraction
from pathlib import Path

from participation.budget.rules import Ballot, Project

SECTIONS = ("META", "PROJECTS", "VOTES")
APPROVAL_TYPES = frozenset({"approval", "choose-1"})
POINTS_TYPES = frozenset({"cumulative", "scoring"})
VOTE_TYPES = APPROVAL_TYPES | POINTS_TYPES | {"ordinal"}


class PabulibError(ValueError):
    """The text is not a well-formed ``.pb`` file."""


@dataclass
class PabulibFile:
    """The three tables of a ``.pb`` file, as text, in file order.

    ``projects`` and ``votes`` are rows keyed by their section's header; a row lacks the columns
    it had no cell for.
    """

    meta: dict[str, str] = field(default_factory=dict)
    project_columns: list[str] = field(default_factory=lambda: ["project_id", "cost", "votes"])
    projects: list[dict[str, str]] = field(default_factory=list)
    vote_columns: list[str] = field(default_factory=lambda: ["voter_id", "vote"])
    votes: list[dict[str, str]] = field(default_factory=list)

    @property
    def vote_type(self) -> str:
        return self.meta.get("vote_type", "approval").strip().lower()

    @property
    def budget(self) -> Fraction:
        return parse_number(self.meta["budget"])

    def to_projects(self) -> list[Project]:
        """The projects with their costs, in file order."""
        return [Project(row["project_id"], parse_number(row["cost"])) for row in self.projects]

    def to_ballots(self, ordinal_points: Sequence[int] | None = None) -> list[Ballot]:
        """One :class:`Ballot` per voter, in file order.

        Approval and choose-1 votes become approval ballots; cumulative and scoring votes become
        points ballots. Ordinal votes become ranked ballots: approval of every ranked project
        (which is what pabutools' cost satisfaction sees) with points by position, the first
        ``ordinal_points[0]``, the next ``ordinal_points[1]``, ...; by default ``max_length`` (or
        the longest ballot's length) for the first place, one less for each next one, the
        scoring of Pabulib's ``score`` column for ordinal files.
        """
        vote_type = self.vote_type
        if vote_type not in VOTE_TYPES:
            raise PabulibError(f"Unknown vote_type {vote_type!r}.")
        ballots: list[Ballot] = []
        if vote_type in APPROVAL_TYPES:
            # Voters who cast the same vote share one (immutable) ballot.
            same: dict[str, Ballot] = {}
            for row in self.votes:
                vote = row.get("vote", "")
                ballot = same.get(vote)
                if ballot is None:
                    ballot = same[vote] = Ballot(approved=split_ids(vote))
                ballots.append(ballot)
        elif vote_type in POINTS_TYPES:
            for row in self.votes:
                ids = split_ids(row.get("vote", ""))
                points = [parse_number(p) for p in split_ids(row.get("points", ""))]
                if len(points) != len(ids):
                    raise PabulibError(f"Voter {row.get('voter_id')}: votes and points differ.")
                ballots.append(Ballot(points=dict(zip(ids, points, strict=True))))
        else:
            rankings = [split_ids(row.get("vote", "")) for row in self.votes]
            if ordinal_points is None:
                longest = max((len(r) for r in rankings), default=0)
                top = int(self.meta.get("max_length") or longest)
                ordinal_points = [max(top - i, 0) for i in range(max(top, longest))]
            for ranking in rankings:
                ballots.append(Ballot.ranked(ranking, ordinal_points))
        return ballots


def parse_number(text: str) -> Fraction:
    """An exact number from a ``.pb`` cell ("222176.85", "1404775,68", "3")."""
    return Fraction(text.strip().replace(",", "."))


def format_number(value: Fraction | int) -> str:
    """The shortest exact decimal text for a number with a finite decimal expansion."""
    value = Fraction(value)
    if value.denominator == 1:
        return str(value.numerator)
    digits = 0
    scaled = value
    while scaled.denominator != 1:
        scaled *= 10
        digits += 1
        if digits > 30:
            raise ValueError(f"{value} has no short decimal expansion.")
    sign = "-" if scaled < 0 else ""
    text = str(abs(scaled.numerator)).rjust(digits + 1, "0")
    return f"{sign}{text[:-digits]}.{text[-digits:]}"


def split_ids(text: str) -> list[str]:
    """The ids in a comma-separated cell, stripped, without empty ones."""
    parts = list(map(str.strip, text.split(",")))
    return [part for part in parts if part] if "" in parts else parts


def parse(text: str) -> PabulibFile:
    """Parse the text of a ``.pb`` file."""
    result = PabulibFile(meta={}, project_columns=[], projects=[], vote_columns=[], votes=[])
    reader = csv.reader(io.StringIO(text.lstrip("\ufeff"), newline=""), delimiter=";")
    section = None
    header: list[str] = []
    records: list[dict[str, str]] | None = None  # the PROJECTS or VOTES rows, in those
    strip = str.strip
    for row in reader:
        # Most rows: a complete PROJECTS or VOTES row, which cannot be a section's name.
        if records is not None and len(row) == len(header) and strip(row[1]):
            records.append(dict(zip(header, map(strip, row))))  # noqa: B905 - same length
            continue
        cells = list(map(strip, row))
        if not any(cells):
            continue
        if len(cells) == 1 or not any(cells[1:]):
            name = cells[0].upper()
            if name in SECTIONS:
                section = name
                try:
                    header = [cell.strip() for cell in next(reader)]
                except StopIteration:
                    raise PabulibError(f"Section {name} has no header line.") from None
                if section == "PROJECTS":
                    result.project_columns = header
                    records = result.projects if len(header) > 1 else None
                elif section == "VOTES":
                    result.vote_columns = header
                    records = result.votes if len(header) > 1 else None
                else:
                    records = None
                continue
        if section is None:
            raise PabulibError("The file does not start with a META, PROJECTS or VOTES section.")
        if section == "META":
            result.meta[cells[0]] = cells[1] if len(cells) > 1 else ""
        else:
            if len(cells) > len(header):
                raise PabulibError(f"A {section} row has more cells than its header: {row!r}")
            record = dict(zip(header, cells, strict=False))
            (result.projects if section == "PROJECTS" else result.votes).append(record)
    return result


def write(pb: PabulibFile) -> str:
    """The text of a ``.pb`` file; :func:`parse` gives back an equal :class:`PabulibFile`."""
    out = io.StringIO()
    writer = csv.writer(out, delimiter=";", lineterminator="\n", quoting=csv.QUOTE_MINIMAL)
    writer.writerow(["META"])
    writer.writerow(["key", "value"])
    for key, value in pb.meta.items():
        writer.writerow([key, value])
    for name, columns, rows in (
        ("PROJECTS", pb.project_columns, pb.projects),
        ("VOTES", pb.vote_columns, pb.votes),
    ):
        writer.writerow([name])
        writer.writerow(columns)
        for record in rows:
            writer.writerow([record.get(column, "") for column in columns])
    return out.getvalue()


def read_file(path: str | Path) -> PabulibFile:
    """Parse a ``.pb`` or ``.pb.gz`` file."""
    path = Path(path)
    raw = path.read_bytes()
    if path.suffix == ".gz" or raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return parse(raw.decode("utf-8-sig"))


def write_file(pb: PabulibFile, path: str | Path) -> None:
    """Write a ``.pb`` file (gzip-compressed when the name ends in ``.gz``)."""
    path = Path(path)
    data = write(pb).encode("utf-8")
    if path.suffix == ".gz":
        data = gzip.compress(data, mtime=0)
    path.write_bytes(data)


def from_election(
    projects: Iterable[Project],
    ballots: Iterable[Ballot],
    budget: Fraction | int,
    *,
    vote_type: str = "approval",
    meta: dict[str, str] | None = None,
    project_extra: dict[str, dict[str, str]] | None = None,
) -> PabulibFile:
    """A :class:`PabulibFile` for anonymised ballots (voters are numbered 1, 2, ...).

    A ballot of weight *w* is written as *w* voters. ``votes`` (and ``score`` for points
    ballots) are counted from the ballots; ``project_extra`` adds columns per project id.
    """
    projects = list(projects)
    ballots = list(ballots)
    points_type = vote_type in POINTS_TYPES
    votes = dict.fromkeys((p.id for p in projects), 0)
    scores: dict[str, Fraction] = dict.fromkeys(votes, Fraction(0))
    vote_rows: list[dict[str, str]] = []
    for ballot in ballots:
        if points_type:
            items = list((ballot.points or {}).items())
            row = {
                "vote": ",".join(pid for pid, _ in items),
                "points": ",".join(format_number(value) for _, value in items),
            }
        else:
            row = {"vote": ",".join(ballot.ranking or sorted(ballot.supported))}
        for pid in ballot.supported:
            votes[pid] += ballot.weight
        for pid, value in (ballot.points or {}).items():
            scores[pid] += value * ballot.weight
        for _ in range(ballot.weight):
            vote_rows.append({"voter_id": str(len(vote_rows) + 1), **row})
    extra = project_extra or {}
    extra_columns: list[str] = []
    for values in extra.values():
        extra_columns.extend(c for c in values if c not in extra_columns)
    project_columns = ["project_id", "cost", "votes"] + (["score"] if points_type else [])
    project_columns += [c for c in extra_columns if c not in project_columns]
    project_rows = []
    for project in projects:
        row = {"project_id": project.id, "cost": format_number(project.cost)}
        row["votes"] = str(votes[project.id])
        if points_type:
            row["score"] = format_number(scores[project.id])
        row.update(extra.get(project.id, {}))
        project_rows.append(row)
    header = {
        "num_projects": str(len(projects)),
        "num_votes": str(len(vote_rows)),
        "budget": format_number(Fraction(budget)),
        "vote_type": vote_type,
    }
    return PabulibFile(
        meta={**(meta or {}), **header},
        project_columns=project_columns,
        projects=project_rows,
        vote_columns=["voter_id", "vote"] + (["points"] if points_type else []),
        votes=vote_rows,
    )
