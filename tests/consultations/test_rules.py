"""The pure rules of consultations: statuses, answer checks, conditions, meaning changes,
tallies."""

from __future__ import annotations

from datetime import date, datetime, timedelta

import pytest

from participation.consultations import rules
from participation.consultations.rules import Error, Kind, Problem, QuestionSpec, Status, Value

NOW = datetime(2026, 11, 23, 12, 0)


@pytest.mark.parametrize(
    ("published", "opens", "closes", "report", "expected"),
    [
        (None, -1, 5, None, Status.DRAFT),
        (-2, 1, 5, None, Status.SCHEDULED),
        (-2, 0, 5, None, Status.OPEN),  # opens_at inclusive
        (-2, -5, 0, None, Status.CLOSED),  # closes_at exclusive
        (-2, -5, -1, -0.5, Status.REPORT_PUBLISHED),
    ],
)
def test_status_follows_publication_dates_and_report(published, opens, closes, report, expected):
    def at(days):
        return None if days is None else NOW + timedelta(days=days)

    assert rules.status(at(published), at(opens), at(closes), at(report), NOW) == expected


def test_a_consultation_shorter_than_the_minimum_is_flagged():
    assert rules.too_short(NOW, NOW + timedelta(days=20, hours=23), 21)
    assert not rules.too_short(NOW, NOW + timedelta(days=21), 21)


def test_closing_reminder_once_within_the_last_week_of_a_longer_consultation():
    opens, closes = NOW - timedelta(days=20), NOW + timedelta(days=6)
    assert rules.closing_reminder_due(closes, opens, NOW, already_sent=False)
    assert not rules.closing_reminder_due(closes, opens, NOW, already_sent=True)
    assert not rules.closing_reminder_due(NOW + timedelta(days=8), opens, NOW, False)
    # A consultation only five days long gets no "closes in a week" notice.
    assert not rules.closing_reminder_due(
        NOW + timedelta(days=3), NOW - timedelta(days=2), NOW, False
    )


SINGLE = QuestionSpec(1, Kind.SINGLE, required=True, options=(10, 11, 12))
MULTIPLE = QuestionSpec(2, Kind.MULTIPLE, options=(20, 21, 22, 23), min_choices=2, max_choices=3)
RANKING = QuestionSpec(3, Kind.RANKING, options=(30, 31, 32))
SHORT = QuestionSpec(4, Kind.SHORT_TEXT, required=True)
LONG = QuestionSpec(5, Kind.LONG_TEXT, max_length=10)
SCALE = QuestionSpec(6, Kind.SCALE, scale_min=1, scale_max=5)
NUMBER = QuestionSpec(7, Kind.NUMBER, number_min=0, number_max=120)
YES_NO = QuestionSpec(8, Kind.YES_NO, required=True)
DAY = QuestionSpec(9, Kind.DATE)
POINT = QuestionSpec(13, Kind.POINT)


@pytest.mark.parametrize(
    ("spec", "raw", "value", "problem"),
    [
        (SINGLE, ["11"], Value(options=(11,)), None),
        (SINGLE, [], Value(), Problem.REQUIRED),
        (SINGLE, ["99"], Value(), Problem.NOT_AN_OPTION),
        (SINGLE, ["10", "11"], Value(options=(10, 11)), Problem.TOO_MANY),
        (MULTIPLE, ["23", "20"], Value(options=(20, 23)), None),
        (MULTIPLE, ["20"], Value(options=(20,)), Problem.TOO_FEW),
        (MULTIPLE, ["20", "21", "22", "23"], Value(options=(20, 21, 22, 23)), Problem.TOO_MANY),
        (MULTIPLE, [], Value(), None),  # not required: nothing is fine
        (RANKING, ["2", "3", "1"], Value(options=(32, 30, 31)), None),
        (RANKING, ["1", "1", "2"], Value(options=(30, 31, 32)), Problem.RANK_TWICE),
        (RANKING, ["1", "", "2"], Value(options=(30, 32)), Problem.RANK_ALL),
        (RANKING, ["", "", ""], Value(), None),
        (SHORT, ["  Lavičky  "], Value(text="Lavičky"), None),
        (SHORT, ["x" * 301], Value(text="x" * 301), Problem.TOO_LONG),
        (LONG, ["a\r\nb"], Value(text="a\nb"), None),
        (LONG, ["12345678901"], Value(text="12345678901"), Problem.TOO_LONG),
        (SCALE, ["3"], Value(number=3), None),
        (SCALE, ["6"], Value(number=6), Problem.ABOVE_MAX),
        (SCALE, ["2.5"], Value(), Problem.NOT_A_NUMBER),
        (NUMBER, ["12,5"], Value(number=12.5), None),
        (NUMBER, ["-1"], Value(number=-1), Problem.BELOW_MIN),
        (NUMBER, ["many"], Value(), Problem.NOT_A_NUMBER),
        (NUMBER, ["nan"], Value(), Problem.NOT_A_NUMBER),
        (YES_NO, ["no"], Value(yes=False), None),
        (YES_NO, [""], Value(), Problem.REQUIRED),
        (YES_NO, ["maybe"], Value(), Problem.NOT_AN_OPTION),
        (DAY, ["2026-12-01"], Value(day=date(2026, 12, 1)), None),
        (DAY, ["1. 12. 2026"], Value(), Problem.NOT_A_DATE),
        (POINT, ["49.41", "14.66"], Value(point=(49.41, 14.66)), None),
        (POINT, ["49.41", ""], Value(), Problem.POINT_HALF),
        (POINT, ["", ""], Value(), None),
    ],
)
def test_check_answer(spec, raw, value, problem):
    got, error = rules.check_answer(spec, raw)
    assert got == value
    assert (error.problem if error else None) == problem


def test_errors_carry_the_numbers_the_message_needs():
    assert rules.check_answer(MULTIPLE, ["20", "21", "22", "23"])[1] == Error(
        Problem.TOO_MANY, {"max": 3}
    )
    assert rules.check_answer(LONG, ["x" * 12])[1] == Error(
        Problem.TOO_LONG, {"max": 10, "length": 12}
    )


def test_a_conditional_question_is_shown_only_for_the_given_answer():
    first = QuestionSpec(1, Kind.YES_NO)
    follow_up = QuestionSpec(
        2, Kind.SHORT_TEXT, required=True, condition_question=1, condition_value="yes"
    )
    then = QuestionSpec(3, Kind.SINGLE, options=(7, 8), condition_question=2)
    specs = [first, follow_up]
    assert [s.id for s in rules.visible_questions(specs, {1: Value(yes=True)})] == [1, 2]
    assert [s.id for s in rules.visible_questions(specs, {1: Value(yes=False)})] == [1]
    assert [s.id for s in rules.visible_questions(specs, {})] == [1]
    # A required follow-up is not required while hidden, and its answer is dropped.
    values, errors = rules.check_response(specs, {1: ["no"], 2: ["leftover"]}, complete=True)
    assert values == {1: Value(yes=False)} and errors == {}
    values, errors = rules.check_response(specs, {1: ["yes"]}, complete=True)
    assert errors[2].problem == Problem.REQUIRED
    # Conditions on choices name the option; hidden questions hide their dependants.
    on_choice = QuestionSpec(4, Kind.LONG_TEXT, condition_question=5, condition_value="8")
    assert rules.condition_met(on_choice, {5: Value(options=(8,))})
    assert not rules.condition_met(on_choice, {5: Value(options=(7,))})
    assert [
        s.id
        for s in rules.visible_questions(
            [first, follow_up, then], {1: Value(yes=False), 2: Value(text="x")}
        )
    ] == [1]


def test_saving_to_finish_later_allows_missing_but_not_wrong_answers():
    values, errors = rules.check_response([SINGLE, SCALE], {6: ["9"]}, complete=False)
    assert list(errors) == [6] and errors[6].problem == Problem.ABOVE_MAX
    values, errors = rules.check_response([SINGLE, SCALE], {6: ["2"]}, complete=False)
    assert errors == {} and values == {6: Value(number=2)}


def test_wording_is_not_meaning_but_options_kind_and_limits_are():
    assert rules.meaning_changes(MULTIPLE, MULTIPLE) == []
    assert rules.meaning_changes(
        MULTIPLE,
        QuestionSpec(2, Kind.MULTIPLE, options=(20, 21, 22, 23), min_choices=2, max_choices=2),
    ) == ["max_choices"]
    assert "options" in rules.meaning_changes(
        SINGLE, QuestionSpec(1, Kind.SINGLE, required=True, options=(10, 12, 11))
    )
    assert "kind" in rules.meaning_changes(
        SINGLE, QuestionSpec(1, Kind.MULTIPLE, required=True, options=(10, 11, 12))
    )
    # A longer text limit accepts every earlier answer; a shorter one might not.
    assert rules.meaning_changes(LONG, QuestionSpec(5, Kind.LONG_TEXT, max_length=20)) == []
    assert rules.meaning_changes(LONG, QuestionSpec(5, Kind.LONG_TEXT, max_length=5)) == [
        "max_length"
    ]


def test_structure_problems_of_the_builder():
    assert rules.check_structure(QuestionSpec(1, Kind.SINGLE, options=(1,)), {}) == [
        "options_needed"
    ]
    assert "min_above_max" in rules.check_structure(
        QuestionSpec(1, Kind.MULTIPLE, options=(1, 2, 3), min_choices=3, max_choices=2), {}
    )
    assert rules.check_structure(QuestionSpec(1, Kind.SCALE, scale_min=5, scale_max=5), {}) == [
        "scale_range"
    ]
    follow_up = QuestionSpec(2, Kind.SHORT_TEXT, condition_question=1, condition_value="yes")
    assert rules.check_structure(follow_up, {1: QuestionSpec(1, Kind.YES_NO)}) == []
    assert rules.check_structure(follow_up, {}) == ["condition_question"]
    assert rules.check_structure(follow_up, {1: QuestionSpec(1, Kind.SINGLE, options=(3, 4))}) == [
        "condition_value"
    ]


def test_tally_counts_every_kind():
    labels = {10: "A", 11: "B", 12: "C"}
    single = rules.tally(
        SINGLE, [Value(options=(10,)), Value(options=(12,)), Value(options=(10,)), Value()], labels
    )
    assert single.answered == 3 and single.counts == [("A", 2), ("B", 0), ("C", 1)]
    ranking = rules.tally(
        RANKING,
        [Value(options=(31, 30, 32)), Value(options=(31, 32, 30))],
        {30: "x", 31: "y", 32: "z"},
    )
    assert ranking.mean_rank == [("y", 1.0), ("z", 2.5), ("x", 2.5)] or ranking.mean_rank[0] == (
        "y",
        1.0,
    )
    scale = rules.tally(SCALE, [Value(number=1), Value(number=5), Value(number=5)], {})
    assert scale.counts == [("1", 1), ("2", 0), ("3", 0), ("4", 0), ("5", 2)]
    assert scale.summary["mean"] == pytest.approx(11 / 3)
    number = rules.tally(NUMBER, [Value(number=n) for n in (4, 1, 10, 3)], {})
    assert number.summary == {"min": 1, "max": 10, "mean": 4.5, "median": 3.5}
    yes_no = rules.tally(YES_NO, [Value(yes=True), Value(yes=False), Value(yes=True)], {})
    assert yes_no.counts == [("yes", 2), ("no", 1)]


def test_representativeness_compares_shares():
    result = rules.representativeness({"young": 10, "old": 30}, {"young": 500, "old": 500})
    assert result == {"old": pytest.approx(1.5), "young": pytest.approx(0.5)}
    assert rules.representativeness({"x": 3}, {}) == {"x": None}
