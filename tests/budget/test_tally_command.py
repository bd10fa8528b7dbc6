"""``participation budget tally FILE.pb --rule ... [--json]``."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from click.testing import CliRunner

from participation.budget import pabulib
from participation.budget.commands import budget_group

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pabulib"
ASSEN = FIXTURES / "Netherlands_Assen_2024.pb"
GDANSK = FIXTURES / "Poland_Gdansk_2020_Chelm.pb"


def tally(*args: str) -> dict:
    result = CliRunner().invoke(budget_group, ["tally", *args])
    assert result.exit_code == 0, result.output
    return json.loads(result.output)


@pytest.mark.parametrize("rule", ["greedy", "mes", "mes-add1"])
def test_json_output(rule):
    found = tally(str(ASSEN), "--rule", rule, "--json")
    pb = pabulib.read_file(ASSEN)
    assert set(found) == {"rule", "selected", "total_cost", "scores"}
    assert found["rule"] == rule
    costs = {row["project_id"]: int(row["cost"]) for row in pb.projects}
    assert found["total_cost"] == sum(costs[pid] for pid in found["selected"]) <= 100000
    assert found["scores"] == {row["project_id"]: int(row["votes"]) for row in pb.projects}
    if rule == "mes-add1":  # Assen's official result (no completion there), and 7 from it
        official = sorted(row["project_id"] for row in pb.projects if row["selected"] == "1")
        assert sorted(found["selected"]) == sorted([*official, "7"])


def test_points_files_rank_by_points_and_report_points():
    found = tally(str(GDANSK), "--json")
    pb = pabulib.read_file(GDANSK)
    assert found["scores"] == {row["project_id"]: int(row["score"]) for row in pb.projects}
    assert found["selected"][:3] == ["5", "10", "8"]  # the three highest scores
    by_votes = tally(str(GDANSK), "--json", "--score", "votes")
    assert by_votes["scores"] == {row["project_id"]: int(row["votes"]) for row in pb.projects}


def test_gzip_and_decimal_budgets(tmp_path):
    found = tally(str(FIXTURES / "Poland_Krakow_2023_Czyzyny.pb.gz"), "--json")
    assert found["selected"] == [
        "BO.D14.1/23",
        "BO.D14.24/23",
        "BO.D14.8/23",
        "BO.D14.4/23",
        "BO.D14.2/23",
        "BO.D14.14/23",
    ]
    assert found["total_cost"] == 1401100


def test_text_output_lists_the_winners():
    result = CliRunner().invoke(budget_group, ["tally", str(ASSEN), "--rule", "mes-add1"])
    assert result.exit_code == 0
    assert "mes-add1: 10 of 14 projects" in result.output
    assert "share per voter raised by" in result.output


def test_unreadable_files_are_refused(tmp_path):
    bad = tmp_path / "bad.pb"
    bad.write_text("nothing here\n")
    result = CliRunner().invoke(budget_group, ["tally", str(bad)])
    assert result.exit_code != 0
    assert "Cannot read" in result.output


def test_registered_on_the_app_cli(runner):
    result = runner.invoke(args=["budget", "tally", str(ASSEN), "--rule", "mes", "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output)["rule"] == "mes"


def test_the_participation_command_tallies_without_building_the_app():
    # An auditor recounts a downloaded file with no configuration and no database: the
    # command must not need the app (here, building it fails).
    from flask.cli import ScriptInfo

    from participation.cli import main

    def no_app():
        raise AssertionError("participation budget tally built the app")

    result = CliRunner().invoke(
        main, ["budget", "tally", str(ASSEN), "--json"], obj=ScriptInfo(create_app=no_app)
    )
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == tally(str(ASSEN), "--json")
