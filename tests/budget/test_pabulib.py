"""Pabulib .pb files: parsing (quotes, CRLF, BOM, gzip), writing, and the round trip."""

from __future__ import annotations

import gzip
from fractions import Fraction
from pathlib import Path

import pytest

from participation.budget import pabulib, rules

FIXTURES = Path(__file__).resolve().parents[1] / "fixtures" / "pabulib"
INSTANCES = sorted(FIXTURES.glob("*.pb*"))

SMALL = (
    "\ufeffMETA\r\n"
    "key;value\r\n"
    'description;"A test; with a semicolon"\r\n'
    "num_projects;3\r\n"
    "num_votes;4\r\n"
    "budget;1000,50\r\n"
    "vote_type;cumulative\r\n"
    "PROJECTS\r\n"
    "project_id;cost;votes;score;name\r\n"
    '9;500.25;2;5;"A ""quoted"" name; really"\r\n'
    "10;500.25;2;4;Ten\r\n"
    "11;20;0;0;Nobody\r\n"
    "VOTES\r\n"
    "voter_id;vote;points\r\n"
    "1;9,10;3,1\r\n"
    "2;10;3\r\n"
    "3;9;2\r\n"
    "4;;\r\n"
)


def test_parse_quotes_crlf_bom_and_decimal_commas():
    pb = pabulib.parse(SMALL)
    assert pb.meta["description"] == "A test; with a semicolon"
    assert pb.budget == Fraction("1000.50")
    assert pb.vote_type == "cumulative"
    assert [row["project_id"] for row in pb.projects] == ["9", "10", "11"]
    assert pb.projects[0]["name"] == 'A "quoted" name; really'
    assert pb.to_projects()[0] == rules.Project("9", "500.25")
    ballots = pb.to_ballots()
    assert ballots[0].points == {"9": 3, "10": 1}
    assert ballots[3].supported == frozenset()  # an empty ballot still counts as a voter
    assert rules.project_scores(pb.to_projects(), ballots, "points") == {"9": 5, "10": 4, "11": 0}
    assert rules.project_scores(pb.to_projects(), ballots, "votes") == {"9": 2, "10": 2, "11": 0}


def test_write_then_parse_round_trips():
    pb = pabulib.parse(SMALL)
    text = pabulib.write(pb)
    assert pabulib.parse(text) == pb
    assert pabulib.write(pabulib.parse(text)) == text


@pytest.mark.parametrize("path", INSTANCES, ids=lambda p: p.name)
def test_every_instance_round_trips_and_counts_match_its_columns(path):
    pb = pabulib.read_file(path)
    assert pabulib.parse(pabulib.write(pb)) == pb
    assert len(pb.projects) == int(pb.meta["num_projects"])
    assert len(pb.votes) == int(pb.meta["num_votes"])
    projects, ballots = pb.to_projects(), pb.to_ballots()
    votes = rules.project_scores(projects, ballots, "votes")
    assert votes == {row["project_id"]: int(row["votes"]) for row in pb.projects}
    if "score" in pb.project_columns:
        # Points for cumulative ballots; positions (3, 2, 1 for max_length 3) for ordinal.
        points = rules.project_scores(projects, ballots, "points")
        assert points == {row["project_id"]: int(row["score"]) for row in pb.projects}


def test_gzip_files_are_read_and_written(tmp_path):
    pb = pabulib.parse(SMALL)
    target = tmp_path / "small.pb.gz"
    pabulib.write_file(pb, target)
    assert gzip.decompress(target.read_bytes()).decode() == pabulib.write(pb)
    assert pabulib.read_file(target) == pb
    plain = tmp_path / "small.pb"
    pabulib.write_file(pb, plain)
    assert pabulib.read_file(plain) == pb


def test_export_of_ballots_tallies_to_the_same_winners():
    projects = [rules.Project("1", 400), rules.Project("2", "250.5"), rules.Project("10", 300)]
    ballots = [
        rules.Ballot(approved={"1", "2"}, weight=3),
        rules.Ballot(approved={"10"}, weight=2),
        rules.Ballot(approved=(), weight=1),
        rules.Ballot(approved={"2", "10"}),
    ]
    pb = pabulib.from_election(projects, ballots, 700, meta={"country": "Czechia"})
    again = pabulib.parse(pabulib.write(pb))
    assert again.meta["country"] == "Czechia"
    assert [row["votes"] for row in again.projects] == ["3", "4", "3"]
    assert len(again.votes) == 7
    for tally in (rules.tally_greedy, rules.tally_equal_shares, rules.tally_equal_shares_add1):
        before = tally(projects, ballots, 700)
        after = tally(again.to_projects(), again.to_ballots(), again.budget)
        assert after.selected == before.selected


def test_points_ballots_export_their_points():
    projects = [rules.Project("a", 10), rules.Project("b", 10)]
    ballots = [rules.Ballot(points={"a": 2, "b": -1}), rules.Ballot(points={"b": 1}, weight=2)]
    pb = pabulib.from_election(projects, ballots, 10, vote_type="scoring")
    again = pabulib.parse(pabulib.write(pb))
    assert [row["score"] for row in again.projects] == ["2", "1"]
    assert rules.tally_greedy(
        again.to_projects(), again.to_ballots(), 10, score="points"
    ).selected == ["a"]


def test_malformed_files_are_refused():
    with pytest.raises(pabulib.PabulibError):
        pabulib.parse("1;2\n")
    with pytest.raises(pabulib.PabulibError):
        pabulib.parse("META\nkey;value\nvote_type;approval\nPROJECTS\nproject_id;cost\n1;2;3\n")
    with pytest.raises(pabulib.PabulibError):
        pabulib.parse("META\nkey;value\nvote_type;secret\n").to_ballots()


def test_numbers_are_written_exactly():
    assert pabulib.format_number(Fraction("222176.85")) == "222176.85"
    assert pabulib.format_number(Fraction(-1, 20)) == "-0.05"
    assert pabulib.format_number(7) == "7"
    with pytest.raises(ValueError):
        pabulib.format_number(Fraction(1, 3))


def test_cells_and_ids_are_stripped_and_empty_ids_dropped():
    text = (
        "META\nkey;value\nbudget; 30 \nvote_type;approval\n"
        "PROJECTS\nproject_id;cost;votes\n 1 ;10;2\n2;\t20;3\n"
        "VOTES;\nvoter_id;vote\n1; 1 ,2\n2;2,,\t1\n3;2\n4;\n5;2\n"  # "VOTES;": a section
    )
    pb = pabulib.parse(text)
    assert pb.budget == 30
    assert [row["project_id"] for row in pb.projects] == ["1", "2"]
    assert pb.projects[1]["cost"] == "20"
    ballots = pb.to_ballots()
    assert [sorted(b.approved) for b in ballots] == [["1", "2"], ["1", "2"], ["2"], [], ["2"]]
    assert ballots[2] is ballots[4]  # the same vote, one shared (immutable) ballot
    assert pabulib.split_ids(" a , b,,c ,") == ["a", "b", "c"]
    assert pabulib.split_ids("") == []
