"""Budget tallies: our time against pabutools' on every Pabulib instance, per rule.

    .venv/bin/python bench/tally.py [--timeout 60] [--repeat 3] [--only NAME] [--rule RULE]

For each file in ../shared/data/pabulib (or --data) and each rule (greedy, mes, mes-add1) it
prints our time, pabutools' time (the calls of DOMAIN.md; pabutools runs in a child process
that is stopped after --timeout seconds, printed as "> 60 s"), the speed-up, and whether the
winners are the same. Both times exclude reading the file: ours is the tally from
``Project``/``Ballot`` values (best of --repeat; wall time, and beside it CPU time, which a
busy machine inflates less), pabutools' is the rule on its parsed instance and profile
(wall time, and CPU time in the child). "read" is our time to parse the file and build the
ballots. The speed-up is pabutools' CPU time over ours (wall time when it did not finish),
and "load" the 1-minute load average after the row (the machine is shared: compare ratios
from the same run).

Not a test and not part of the suite; needs pabutools (the test extra).
"""

from __future__ import annotations

import argparse
import multiprocessing
import os
import queue
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from participation.budget import pabulib, rules  # noqa: E402

RULES = ("greedy", "mes", "mes-add1")
DATA = ROOT.parent / "shared" / "data" / "pabulib"


def pabutools_child(path: str, rule: str, results: multiprocessing.Queue) -> None:
    from tests.budget.pabutools_reference import load, winners

    instance, profile = load(Path(path))
    started, started_cpu = time.perf_counter(), time.process_time()
    selected = winners(instance, profile, rule)
    results.put((time.perf_counter() - started, time.process_time() - started_cpu, selected))


def pabutools_time(
    path: Path, rule: str, timeout: float
) -> tuple[float | None, float | None, list | None]:
    """(seconds, CPU seconds, winners) of pabutools, or Nones when it did not finish in
    time."""
    results: multiprocessing.Queue = multiprocessing.Queue()
    child = multiprocessing.Process(target=pabutools_child, args=(str(path), rule, results))
    child.start()
    # Parsing is not timed; allow it on top of the timeout.
    deadline = time.monotonic() + timeout + 30
    try:
        seconds, cpu, selected = results.get(timeout=max(deadline - time.monotonic(), 1))
    except queue.Empty:
        seconds = cpu = selected = None
    if child.is_alive():
        child.terminate()
    child.join()
    if seconds is not None and seconds > timeout:
        return None, None, None
    return seconds, cpu, selected


def ours_time(projects, ballots, budget, rule: str, repeat: int):
    tally = rules.RULES[rule]
    best = best_cpu = float("inf")
    outcome = None
    for _ in range(repeat):
        started, started_cpu = time.perf_counter(), time.process_time()
        outcome = tally(projects, ballots, budget)
        best_cpu = min(best_cpu, time.process_time() - started_cpu)
        best = min(best, time.perf_counter() - started)
    return best, best_cpu, outcome


def fmt(seconds: float | None, timeout: float) -> str:
    if seconds is None:
        return f"> {timeout:g} s"
    if seconds < 0.001:
        return f"{seconds * 1e6:.0f} µs"
    if seconds < 0.1:
        return f"{seconds * 1000:.1f} ms"
    return f"{seconds:.2f} s"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--data", type=Path, default=DATA)
    parser.add_argument("--timeout", type=float, default=60.0)
    parser.add_argument("--repeat", type=int, default=3)
    parser.add_argument("--only", help="one file name without .pb")
    parser.add_argument("--rule", choices=RULES, action="append")
    parser.add_argument("--no-pabutools", action="store_true", help="only our times")
    args = parser.parse_args()
    paths = sorted(p for p in args.data.glob("*.pb*") if not args.only or args.only in p.name)
    print(
        "| instance | voters | projects | rule | read | ours | ours (CPU) | pabutools "
        "| pabutools (CPU) | speed-up | same | load |"
    )
    print("|---|---:|---:|---|---:|---:|---:|---:|---:|---:|---|---:|")
    for path in paths:
        started = time.perf_counter()
        pb = pabulib.read_file(path)
        projects, ballots, budget = pb.to_projects(), pb.to_ballots(), pb.budget
        read = time.perf_counter() - started
        for rule in args.rule or RULES:
            seconds, cpu, outcome = ours_time(projects, ballots, budget, rule, args.repeat)
            extra = ""
            if rule == "mes-add1":
                extra = f" ({outcome.add1_steps} steps, {outcome.mes_runs} runs)"
            if args.no_pabutools:
                theirs = theirs_cpu = None
                same = speedup = ""
            else:
                theirs, theirs_cpu, selected = pabutools_time(path, rule, args.timeout)
                if theirs is None or theirs_cpu is None:
                    speedup = f"> {args.timeout / cpu:.0f}x"
                    same = "n/a"
                else:
                    speedup = f"{theirs_cpu / cpu:.0f}x"
                    same = "yes" if selected == sorted(outcome.selected) else "NO"
            name = path.name.removesuffix(".gz").removesuffix(".pb")
            print(
                f"| {name} | {len(ballots):,} | {len(projects)} | {rule}{extra} | "
                f"{fmt(read, args.timeout)} | {fmt(seconds, args.timeout)} | "
                f"{fmt(cpu, args.timeout)} | "
                f"{fmt(theirs, args.timeout) if not args.no_pabutools else ''} | "
                f"{fmt(theirs_cpu, args.timeout) if theirs_cpu is not None else ''} | {speedup} | "
                f"{same} | {os.getloadavg()[0]:.1f} |",
                flush=True,
            )


if __name__ == "__main__":
    main()
