"""``participation budget ...`` commands for operators: tally a Pabulib file."""

from __future__ import annotations

import gc
import json
import time
from fractions import Fraction

import click

from participation.budget import pabulib, rules


def _number(value: Fraction | int) -> int | float | str:
    """JSON for an exact number: an int when whole, else the exact decimal as a float."""
    value = Fraction(value)
    if value.denominator == 1:
        return value.numerator
    return float(pabulib.format_number(value))


@click.group("budget")
def budget_group() -> None:
    """Participatory budgeting."""


@budget_group.command("tally")
@click.argument("file", type=click.Path(exists=True, dir_okay=False))
@click.option(
    "--rule",
    type=click.Choice(sorted(rules.RULES)),
    default="greedy",
    show_default=True,
    help="greedy by votes (by points for cumulative and scoring files), Equal Shares, or "
    "Equal Shares with Add1 and greedy completion.",
)
@click.option(
    "--score",
    type=click.Choice(["votes", "points"]),
    help="What greedy ranks by; by default points for cumulative and scoring files, "
    "votes otherwise.",
)
@click.option("--json", "as_json", is_flag=True, help="Print the result as JSON.")
def tally_command(file: str, rule: str, score: str | None, as_json: bool) -> None:
    """Tally a Pabulib FILE (.pb or .pb.gz) with a rule and print the winners."""
    # A large file becomes a few hundred thousand objects that live until the command ends:
    # the cyclic garbage collector would walk them again and again (a third of the time on
    # Warsaw's 61,668 ballots) and free nothing.
    collecting = gc.isenabled()
    gc.disable()
    try:
        started = time.perf_counter()
        try:
            pb = pabulib.read_file(file)
            projects, ballots, budget = pb.to_projects(), pb.to_ballots(), pb.budget
        except (pabulib.PabulibError, KeyError, ValueError) as error:
            raise click.ClickException(f"Cannot read {file}: {error}") from None
        if score is None:
            score = "points" if pb.vote_type in pabulib.POINTS_TYPES else "votes"
        read = time.perf_counter() - started
        if rule == "greedy":
            outcome = rules.tally_greedy(projects, ballots, budget, score=score)  # type: ignore[arg-type]
        else:
            outcome = rules.RULES[rule](projects, ballots, budget)
        elapsed = time.perf_counter() - started - read
    finally:
        if collecting:
            gc.enable()
    if as_json:
        click.echo(
            json.dumps(
                {
                    "rule": rule,
                    "selected": outcome.selected,
                    "total_cost": _number(outcome.total_cost),
                    "scores": {pid: _number(value) for pid, value in outcome.scores.items()},
                },
                ensure_ascii=False,
            )
        )
        return
    names = {row["project_id"]: row.get("name", "") for row in pb.projects}
    click.echo(
        f"{rule}: {len(outcome.selected)} of {len(projects)} projects, "
        f"{pabulib.format_number(outcome.total_cost)} of {pabulib.format_number(budget)} "
        f"({len(ballots)} ballots; read in {read:.3f} s, tallied in {elapsed:.3f} s)"
    )
    if outcome.add1_steps is not None:
        click.echo(
            f"share per voter raised by {outcome.add1_steps} to "
            f"{float(outcome.share_per_voter or 0):.2f} ({outcome.mes_runs} Equal Shares runs)"
        )
    for pid in outcome.selected:
        fate = outcome.fates[pid]
        cost = next(p.cost for p in projects if p.id == pid)
        click.echo(
            f"  {pid}\t{pabulib.format_number(cost)}\t{_number(outcome.scores[pid])}\t"
            f"{fate.status}\t{names.get(pid, '')}"
        )
