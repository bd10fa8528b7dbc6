"""The tallies on generated and hand-made instances: the same winners as pabutools (live),
their invariants, tie-breaking, points and D21 ballots, and the explanations."""

from __future__ import annotations

import dataclasses
import random
from fractions import Fraction

import pytest
from pabutools.tiebreaking import max_cost_tie_breaking, min_cost_tie_breaking

from participation.budget import rules
from participation.budget.rules import Ballot, Project
from tests.budget import pabutools_reference

TALLIES = {
    "greedy": rules.tally_greedy,
    "mes": rules.tally_equal_shares,
    "mes-add1": rules.tally_equal_shares_add1,
}
IDS = ["1", "2", "9", "10", "11", "100", "a", "B"]


def generated(seed: int, *, distinct_costs: bool = False):
    """A small random pool: ids such as "9" and "10", equal costs and equal supports (ties),
    decimal costs, weights, empty ballots, sometimes a free or an unsupported project."""
    rng = random.Random(seed)
    ids = rng.sample(IDS, rng.randint(2, 7))
    if distinct_costs:
        costs = rng.sample(range(5, 60), len(ids))
    else:
        costs = [rng.choice([5, 10, 10, 20, 20, 25, 30]) for _ in ids]
    projects = [Project(pid, cost) for pid, cost in zip(ids, costs, strict=True)]
    if rng.random() < 0.2:
        projects[0] = Project(projects[0].id, "12.5")
    if rng.random() < 0.1 and not distinct_costs:
        projects[-1] = Project(projects[-1].id, 0)
    ballots = []
    for _ in range(rng.randint(1, 12)):
        approved = {pid for pid in ids if rng.random() < 0.45}
        ballots.append(Ballot(approved=approved, weight=rng.choice([1, 1, 1, 2, 3])))
    budget = Fraction(rng.randint(int(sum(costs) * 0.2) + 1, int(sum(costs) * 0.8) + 2))
    if rng.random() < 0.2:
        budget += Fraction(1, 2)
    return projects, ballots, budget


def pabutools_winners(projects, ballots, budget, rule, tie_breaking=None):
    instance, profile = pabutools_reference.convert(projects, ballots, budget)
    return pabutools_reference.winners(instance, profile, rule, tie_breaking)


@pytest.mark.parametrize("seed", range(120))
def test_generated_pools_give_pabutools_winners(seed):
    projects, ballots, budget = generated(seed)
    for rule, tally in TALLIES.items():
        if rule == "mes-add1" and seed % 2:
            continue  # pabutools' Add1 is the slow part; half the seeds are plenty
        outcome = tally(projects, ballots, budget)
        assert sorted(outcome.selected) == pabutools_winners(projects, ballots, budget, rule), rule


@pytest.mark.parametrize("seed", range(30))
def test_cost_tie_breaking_as_pabutools(seed):
    projects, ballots, budget = generated(1000 + seed, distinct_costs=seed % 2 == 0)
    pairs = (
        (rules.by_cost, min_cost_tie_breaking),
        (rules.by_cost_descending, max_cost_tie_breaking),
    )
    for ours, theirs in pairs:
        greedy = rules.tally_greedy(projects, ballots, budget, tie_break=ours)
        assert sorted(greedy.selected) == pabutools_winners(
            projects, ballots, budget, "greedy", theirs
        )
        if seed % 2 == 0:  # pabutools orders equal costs arbitrarily in Equal Shares
            mes = rules.tally_equal_shares(projects, ballots, budget, tie_break=ours)
            assert sorted(mes.selected) == pabutools_winners(
                projects, ballots, budget, "mes", theirs
            )


@pytest.mark.parametrize("seed", range(200))
def test_invariants(seed):
    projects, ballots, budget = generated(5000 + seed)
    costs = {p.id: p.cost for p in projects}
    outcomes = {rule: tally(projects, ballots, budget) for rule, tally in TALLIES.items()}
    for rule, outcome in outcomes.items():
        assert len(set(outcome.selected)) == len(outcome.selected)
        assert outcome.total_cost == sum(costs[pid] for pid in outcome.selected)
        assert outcome.total_cost <= budget, rule
    for rule in ("greedy", "mes-add1"):  # exhaustive: nothing left out still fits
        outcome = outcomes[rule]
        left = budget - outcome.total_cost
        assert all(costs[pid] > left for pid in costs if pid not in outcome.selected), rule
    # Equal Shares buys only supported projects; Add1 keeps a share that fits.
    supported = set().union(*(b.supported for b in ballots))
    assert set(outcomes["mes"].selected) <= supported
    add1 = outcomes["mes-add1"]
    if add1.share_per_voter is not None:
        assert add1.share_per_voter == budget / sum(b.weight for b in ballots) + add1.add1_steps
    # Greedy takes projects by votes (free ones last, as pabutools), ties by id.
    greedy = outcomes["greedy"]
    rank = {pid: (-votes if costs[pid] else 0, pid) for pid, votes in greedy.scores.items()}
    assert greedy.selected == sorted(greedy.selected, key=rank.__getitem__)


@pytest.mark.parametrize("seed", range(40))
def test_weights_order_and_scale_do_not_matter(seed):
    projects, ballots, budget = generated(9000 + seed)
    rng = random.Random(seed)
    copies = [Ballot(approved=b.approved) for b in ballots for _ in range(b.weight)]
    shuffled = copies[:]
    rng.shuffle(shuffled)
    reordered = projects[::-1]
    scaled = [Project(p.id, p.cost * 100) for p in projects]
    for rule, tally in TALLIES.items():
        outcome = tally(projects, ballots, budget)
        assert tally(reordered, shuffled, budget).selected == outcome.selected, rule
        if rule != "mes-add1":  # Add1 raises shares by one currency unit: not scale-free
            assert tally(scaled, ballots, budget * 100).selected == outcome.selected, rule


def test_ties_go_to_the_smaller_id_as_a_string():
    projects = [Project("9", 10), Project("10", 10), Project("2", 10)]
    ballots = [Ballot(approved={"9", "10", "2"})]
    for tally in TALLIES.values():
        assert tally(projects, ballots, 10).selected == ["10"]
    order = rules.by_order(["2", "9"])
    assert rules.tally_greedy(projects, ballots, 10, tie_break=order).selected == ["2"]
    assert rules.tally_equal_shares(projects, ballots, 10, tie_break=order).selected == ["2"]


def test_greedy_takes_zero_vote_projects_while_money_remains():
    projects = [Project("a", 60), Project("b", 50), Project("c", 30), Project("d", 10)]
    ballots = [Ballot(approved={"a"}, weight=3), Ballot(approved={"b"}, weight=2)]
    outcome = rules.tally_greedy(projects, ballots, 100)
    assert outcome.selected == ["a", "c", "d"]
    assert outcome.fates["b"].status == "did_not_fit"
    assert outcome.fates["b"].remaining == 40
    assert outcome.scores == {"a": 3, "b": 2, "c": 0, "d": 0}


def test_points_and_d21_net_scores():
    projects = [Project("a", 50), Project("b", 50), Project("c", 50)]
    # D21: two plus votes and one minus vote each.
    ballots = [
        Ballot(points={"a": 1, "b": 1, "c": -1}, weight=3),
        Ballot(points={"c": 1, "b": 1, "a": -1}, weight=2),
        Ballot(points={"c": 1, "a": 1}),
    ]
    outcome = rules.tally_greedy(projects, ballots, 100, score="points")
    assert outcome.scores == {"a": 2, "b": 5, "c": 0}
    assert outcome.selected == ["b", "a"]
    votes = rules.project_scores(projects, ballots, "votes")  # minus votes are not support
    assert votes == {"a": 4, "b": 5, "c": 3}
    cumulative = [Ballot(points={"a": 3, "b": 1}), Ballot(points={"b": 3}), Ballot(points={"c": 4})]
    assert rules.tally_greedy(projects, cumulative, 50, score="points").selected == ["b"]
    ranked = Ballot.ranked(["c", "a", "b"], [3, 2, 1])
    assert ranked.points == {"c": 3, "a": 2, "b": 1} and ranked.supported == {"a", "b", "c"}
    mixed = Ballot(points={"a": 2, "b": 0, "c": -1})
    assert mixed.supported == {"a"} and mixed == Ballot(points={"a": 2, "b": 0, "c": -1})
    assert dataclasses.replace(mixed, weight=2) == Ballot(points=mixed.points, weight=2)
    assert dataclasses.replace(mixed, points={"b": 1}).supported == {"b"}
    # Points for a project not in the pool are an error, even zero points; the first
    # such id by its order is named, whatever the order of the ballots.
    for rule in rules.RULES.values():
        with pytest.raises(ValueError, match="unknown project 'x'"):
            rule(projects, [*cumulative, Ballot(points={"a": 1, "x": 0})], 50)
        for many in ([{"zz": 0}, {"x": 0, "y": 1}], [{"y": 1}, {"zz": 0, "x": 0}]):
            with pytest.raises(ValueError, match="unknown project 'x'"):
                rule(projects, [Ballot(points=p) for p in many], 50)


def test_equal_shares_explains_every_project():
    # 10 voters, 100 each. "a" (cost 600) has 8 supporters: 75 each. "b" (cost 300) has
    # supporters 1-3 who paid 75 already: 25 each left, 75 in all, not enough. "c" costs 250,
    # the two others support it and have 200. "d" nobody supports.
    projects = [Project("a", 600), Project("b", 300), Project("c", 250), Project("d", 10)]
    ballots = [
        Ballot(approved={"a", "b"}, weight=3),
        Ballot(approved={"a"}, weight=5),
        Ballot(approved={"c"}, weight=2),
    ]
    outcome = rules.tally_equal_shares(projects, ballots, 1000)
    assert outcome.selected == ["a"]
    assert outcome.share_per_voter == 100
    a, b, c, d = (outcome.fates[pid] for pid in "abcd")
    assert (a.status, a.round, a.payers, a.paid_all_they_had) == ("selected", 1, 8, 0)
    assert a.price == pytest.approx(75) and a.effective_votes == pytest.approx(8)
    assert (b.status, b.available) == ("no_money", 75)
    assert (c.status, c.available) == ("no_money", 200)
    assert d.status == "no_support"
    # Add1: at a share of 125 "c" is bought too; at 175 "b" would be, and a + b + c do not
    # fit; so the share stops at 174 and greedy completion adds "d".
    completed = rules.tally_equal_shares_add1(projects, ballots, 1000)
    assert (completed.add1_steps, completed.share_per_voter) == (74, 174)
    assert completed.selected == ["a", "c", "d"]
    statuses = {pid: fate.status for pid, fate in completed.fates.items()}
    assert statuses == {"a": "selected", "b": "no_money", "c": "selected", "d": "completion"}
    assert completed.fates["b"].remaining == 1000 - 600 - 250  # greedy reached it before "d"


def test_poorer_supporters_pay_what_they_have():
    # 9 voters, 50 each. "a" (240) has 6 supporters, 40 each, and goes first (rho 1/6
    # against 1/5). Then "b" (150): the two who also paid for "a" have 10 left and give it
    # all; the three others pay (150 - 20) / 3 each.
    projects = [Project("a", 240), Project("b", 150)]
    ballots = [
        Ballot(approved={"a"}, weight=4),
        Ballot(approved={"a", "b"}, weight=2),
        Ballot(approved={"b"}, weight=3),
    ]
    outcome = rules.tally_equal_shares(projects, ballots, 450)
    assert outcome.selected == ["a", "b"]
    b = outcome.fates["b"]
    assert (b.round, b.payers, b.paid_all_they_had) == (2, 5, 2)
    assert b.price == pytest.approx(130 / 3)
    assert b.effective_votes == pytest.approx(150 / (130 / 3))


def test_exact_arithmetic_decides_near_ties():
    # Two projects whose rho differs by far less than a float can see at this scale.
    big = 10**15
    projects = [Project("x", big + 1), Project("y", big)]
    ballots = [Ballot(approved={"x"}, weight=3), Ballot(approved={"y"}, weight=3)]
    outcome = rules.tally_equal_shares(projects, ballots, 2 * big + 1)
    assert outcome.selected == ["y", "x"] or outcome.selected[0] == "y"
    expected = pabutools_winners(projects, ballots, Fraction(2 * big + 1), "mes")
    assert sorted(outcome.selected) == expected


def test_inputs_are_checked():
    with pytest.raises(ValueError):
        Project("a", -1)
    with pytest.raises(ValueError):
        rules.tally_greedy([Project("a", 1), Project("a", 2)], [], 5)
    with pytest.raises(ValueError):
        rules.tally_greedy([Project("a", 1)], [Ballot(approved={"zzz"})], 5)
    with pytest.raises(ValueError):  # a minus vote alone supports nothing, but is checked
        rules.tally_greedy([Project("a", 1)], [Ballot(points={"a": 1, "zzz": -1})], 5)
    assert Project("a", 222176.85).cost == Fraction("222176.85")


def test_equal_shares_steps_are_the_runs_of_add1():
    projects, ballots, budget = generated(77)
    steps = rules.equal_shares_steps(projects, ballots, budget, [0, 3, 1])
    assert list(steps) == [0, 1, 3]
    for step, selected in steps.items():
        once = rules.tally_equal_shares(projects, ballots, budget, share_increase=step)
        assert once.selected == selected
    add1 = rules.tally_equal_shares_add1(projects, ballots, budget, completion=False)
    last = rules.equal_shares_steps(projects, ballots, budget, [add1.add1_steps])
    assert last[add1.add1_steps] == add1.selected


def test_nobody_voted():
    projects = [Project("a", 10), Project("b", 20)]
    for tally in TALLIES.values():
        outcome = tally(projects, [], 25)
        assert outcome.total_cost <= 25
    assert rules.tally_equal_shares(projects, [], 25).selected == []
    assert rules.tally_equal_shares_add1(projects, [], 25).selected == ["a"]


def _explained(outcome: rules.Outcome) -> tuple:
    fates = {
        pid: (
            f.status,
            f.round,
            f.payers,
            f.paid_all_they_had,
            f.remaining,
            None if f.available is None else round(f.available, 6),
            None if f.rho is None else round(f.rho, 9),
        )
        for pid, f in outcome.fates.items()
    }
    # Not mes_runs: only the plain-Python engine has the sharper proof, so it may need
    # fewer runs for the same outcome.
    return outcome.selected, outcome.add1_steps, fates


@pytest.mark.parametrize("seed", range(80))
def test_plain_python_and_numpy_engines_agree(seed, monkeypatch):
    """Small pools are tallied in plain Python, large ones with numpy: the same winners, Add1
    steps and explanations either way (ties and near-ties included: seeds with equal costs
    and supports)."""
    projects, ballots, budget = generated(3000 + seed)
    assert rules._prepare(projects, ballots, budget).small
    small = {rule: _explained(tally(projects, ballots, budget)) for rule, tally in TALLIES.items()}
    monkeypatch.setattr(rules, "_SMALL_POOL", -1)
    assert not rules._prepare(projects, ballots, budget).small
    for rule, tally in TALLIES.items():
        assert _explained(tally(projects, ballots, budget)) == small[rule], rule


def larger(seed: int):
    """A pool with tens of voters and costs in hundreds, so that Add1 takes tens to
    hundreds of steps and proves ranges of them."""
    rng = random.Random(seed)
    ids = [str(i) for i in range(rng.randint(4, 9))]
    projects = [Project(pid, rng.randrange(100, 2000, 10)) for pid in ids]
    ballots = [
        Ballot(approved=rng.sample(ids, rng.randint(1, 4)), weight=rng.choice([1, 1, 2]))
        for _ in range(rng.randint(20, 60))
    ]
    budget = sum(p.cost for p in projects) * rng.choice([2, 3, 4]) // 7
    return projects, ballots, budget


@pytest.mark.parametrize("seed", range(150))
def test_add1_steps_match_a_run_at_every_share(seed, monkeypatch):
    """Add1 skips ranges of shares it proves to give the same winners: its result is the one
    of running Equal Shares at every share, one unit at a time, in either engine."""
    projects, ballots, budget = larger(seed)
    outcome = rules.tally_equal_shares_add1(projects, ballots, budget, completion=False)
    costs = {p.id: p.cost for p in projects}
    steps = rules.equal_shares_steps(projects, ballots, budget, range(outcome.add1_steps + 2))
    fits = [sum(costs[pid] for pid in selected) <= budget for selected in steps.values()]
    assert fits.index(False) == outcome.add1_steps + 1
    assert steps[outcome.add1_steps] == outcome.selected
    # Each project's fate is the one a single run at the final share gives, whatever path
    # Add1 took to find it, in either engine.
    single = rules.tally_equal_shares(projects, ballots, budget, share_increase=outcome.add1_steps)
    assert _explained(single)[2] == _explained(outcome)[2]
    monkeypatch.setattr(rules, "_SMALL_POOL", -1)
    numpy = rules.tally_equal_shares_add1(projects, ballots, budget, completion=False)
    assert _explained(numpy) == _explained(outcome)


@pytest.mark.parametrize(
    ("seed", "engine"),
    [(seed, "plain") for seed in (*range(150), 283, 323)]
    + [(seed, "numpy") for seed in (*range(40), 283, 323)],  # slower on such small pools
)
def test_a_proven_range_of_shares_has_the_same_winners_throughout(seed, engine, monkeypatch):
    """The proof Add1 skips by, in either engine: when a run at a larger share follows one at
    a smaller share (not None), every share in between gives the same winners in the same
    order. (Seeds 77, 283 and 323 catch a proof that assumes money stays affine in the share
    after a winner whose poorer supporters differ at the two shares; 150 seeds catch one
    that compares the others at the larger share only.)"""
    if engine == "numpy":
        monkeypatch.setattr(rules, "_SMALL_POOL", -1)
    projects, ballots, budget = larger(seed)
    prep = rules._prepare(projects, ballots, budget)
    engine = rules._engine(prep, rules._tie_keys(prep, rules.by_id))
    base = Fraction(prep.budget, prep.voters)
    proven = 0
    for k in range(0, 150, 2):
        low = engine.run(base + k * prep.unit)
        for jump in (3, 9, 25):
            high = engine.run(base + (k + jump) * prep.unit, follow=low)
            if high is None:
                continue
            proven += 1
            assert high.winners == low.winners
            for between in range(1, jump):
                run = engine.run(base + (k + between) * prep.unit)
                assert run.winners == low.winners, (k, between, jump)
    assert proven
