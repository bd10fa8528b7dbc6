"""Run pabutools (the reference implementation, a test-only dependency) on our inputs, with
exactly the calls in DOMAIN.md."""

from __future__ import annotations

import gzip
from collections.abc import Sequence
from fractions import Fraction
from pathlib import Path

from pabutools.election import (
    ApprovalBallot,
    ApprovalProfile,
    Cost_Sat,
    Instance,
)
from pabutools.election import Project as PabuProject
from pabutools.election.pabulib import parse_pabulib_from_string
from pabutools.fractions import frac
from pabutools.rules import (
    exhaustion_by_budget_increase,
    greedy_utilitarian_welfare,
    method_of_equal_shares,
)
from pabutools.tiebreaking import TieBreakingRule, lexico_tie_breaking

from participation.budget import rules


def exact(value: Fraction) -> object:
    return frac(value.numerator, value.denominator)


def convert(
    projects: Sequence[rules.Project], ballots: Sequence[rules.Ballot], budget: Fraction
) -> tuple[Instance, ApprovalProfile]:
    """Our approval ballots as a pabutools instance and profile (weights as copies)."""
    by_id = {p.id: PabuProject(p.id, exact(p.cost)) for p in projects}
    instance = Instance(by_id.values(), budget_limit=exact(Fraction(budget)))
    profile = ApprovalProfile(instance=instance)
    for ballot in ballots:
        for _ in range(ballot.weight):
            profile.append(ApprovalBallot(by_id[pid] for pid in ballot.supported))
    return instance, profile


def load(path: Path):
    raw = path.read_bytes()
    if path.suffix == ".gz":
        raw = gzip.decompress(raw)
    return parse_pabulib_from_string(raw.decode("utf-8-sig"))


def winners(instance, profile, rule: str, tie_breaking: TieBreakingRule | None = None):
    """Sorted project ids pabutools selects with ``rule`` (greedy, mes or mes-add1)."""
    tie_breaking = tie_breaking or lexico_tie_breaking
    if rule == "greedy":
        outcome = greedy_utilitarian_welfare(
            instance, profile, sat_class=Cost_Sat, tie_breaking=tie_breaking
        )
    elif rule == "mes":
        outcome = method_of_equal_shares(
            instance, profile, sat_class=Cost_Sat, tie_breaking=tie_breaking
        )
    else:
        multiprofile = profile.as_multiprofile()
        if multiprofile.num_ballots() == 0:
            outcome = []  # pabutools would loop forever (a budget step of 0 voters)
        else:
            outcome = exhaustion_by_budget_increase(
                instance,
                multiprofile,
                method_of_equal_shares,
                {
                    "sat_profile": multiprofile.as_sat_profile(Cost_Sat),
                    "tie_breaking": tie_breaking,
                },
                budget_step=multiprofile.num_ballots(),
                exhaustive_stop=False,
            )
        outcome = greedy_utilitarian_welfare(
            instance,
            multiprofile,
            sat_class=Cost_Sat,
            initial_budget_allocation=outcome,
            tie_breaking=tie_breaking,
        )
    return sorted(p.name for p in outcome)
