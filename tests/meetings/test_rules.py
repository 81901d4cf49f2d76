from fractions import Fraction

import pytest

from cgov.meetings.rules import (
    DEFAULT_TYPES,
    MeetingType,
    Rule,
    quorum,
    threshold,
    vote_result,
)

T = DEFAULT_TYPES
NO_QUORUM = ["joint-meeting", "council", "hearing", "coordination",
             "evaluation", "grid-night-talk", "police-briefing"]


# ------------------------------------------------------------------- Rule

@pytest.mark.parametrize("text", [
    "> 1/2 present", ">= 2/3 entitled", ">= 1/2 entitled", "> 1/2 entitled",
    ">= 3/5 cast", ">= 1/1 present", "yes > no",
])
def test_rule_parse_round_trip(text):
    rule = Rule.parse(text)
    assert str(rule) == text
    assert Rule.parse(str(rule)) == rule


def test_rule_parse_fields():
    assert Rule.parse("> 1/2 present") == Rule(1, 2, True, "present")
    assert Rule.parse(">= 2/3 entitled") == Rule(2, 3, False, "entitled")
    assert Rule.parse("≥ 2/3 entitled") == Rule(2, 3, False, "entitled")


def test_yes_over_no_is_half_of_cast():
    rule = Rule.parse("yes > no")
    assert rule == Rule(1, 2, True, "cast")
    assert rule.is_yes_over_no
    assert Rule.parse("> 1/2 cast") == rule
    assert str(Rule.parse("> 1/2 cast")) == "yes > no"
    assert not Rule.parse(">= 1/2 cast").is_yes_over_no


@pytest.mark.parametrize("bad", [
    "", "1/2 present", "> 1/2", "> 1/2 everyone", "> 3/2 present",
    "> 0/2 present", "> 1/1 present", "yes >= no", "> 1/0 present",
])
def test_rule_parse_rejects(bad):
    with pytest.raises(ValueError):
        Rule.parse(bad)


def test_quorum_rule_must_be_on_entitled():
    with pytest.raises(ValueError, match="entitled"):
        MeetingType("x", "某会", "X", Rule.parse("> 1/2 present"),
                    Rule.parse("yes > no"))


def test_bad_voters_and_schedule_refused():
    with pytest.raises(ValueError, match="voters"):
        MeetingType("x", "某会", "X", None, Rule.parse("yes > no"), voters="some")
    with pytest.raises(ValueError, match="schedule"):
        MeetingType("x", "某会", "X", None, Rule.parse("yes > no"),
                    schedule="monthly:32")


def test_meeting_type_dict_round_trip():
    for mt in T.values():
        assert MeetingType.from_dict(mt.to_dict()) == mt


# ---------------------------------------------------------------- defaults

def test_default_types_are_exactly_these():
    table = {code: (mt.name, None if mt.quorum is None else str(mt.quorum),
                    str(mt.passing), mt.voters, mt.schedule)
             for code, mt in T.items()}
    assert table == {
        "residents-meeting": ("居民会议", "> 1/2 entitled", "> 1/2 present", "all", None),
        "residents-representatives-meeting":
            ("居民代表会议", ">= 2/3 entitled", "> 1/2 present", "all", None),
        "villagers-meeting": ("村民会议", "> 1/2 entitled", "> 1/2 present", "all", None),
        "villagers-representatives-meeting":
            ("村民代表会议", ">= 2/3 entitled", "> 1/2 present", "all", None),
        "party-members-meeting":
            ("党员大会", ">= 1/2 entitled", "> 1/2 entitled", "full-members", "quarterly"),
        "two-committees-meeting":
            ("两委会议", "> 1/2 entitled", "> 1/2 present", "all", "monthly"),
        "branch-committee-meeting":
            ("支委会", "> 1/2 entitled", "> 1/2 present", "all", "monthly"),
        "joint-meeting": ("联席会议", None, "yes > no", "all", "monthly"),
        "council": ("议事会", None, "yes > no", "all", None),
        "hearing": ("听证会", None, "yes > no", "all", None),
        "coordination": ("协调会", None, "yes > no", "all", None),
        "evaluation": ("评议会", None, "yes > no", "all", None),
        "grid-night-talk": ("网格夜谈会", None, "yes > no", "all", "monthly:15"),
        "police-briefing": ("警情通报会", None, "yes > no", "all", "quarterly"),
    }
    for code, mt in T.items():
        assert mt.code == code and mt.name_en


# --------------------------------------------------------------- threshold

@pytest.mark.parametrize("text,base,expected", [
    ("> 1/2 entitled", 30, 16),
    ("> 1/2 entitled", 31, 16),
    (">= 2/3 entitled", 30, 20),
    (">= 2/3 entitled", 31, 21),
    (">= 1/2 entitled", 31, 16),
    (">= 1/2 entitled", 30, 15),
    ("> 1/2 entitled", 0, 1),
    (">= 2/3 entitled", 0, 0),
    (">= 1/1 entitled", 7, 7),
])
def test_threshold(text, base, expected):
    assert threshold(Rule.parse(text), base, None, None) == expected


def test_threshold_uses_the_base_named_by_the_rule():
    assert threshold(Rule.parse("> 1/2 present"), 100, 10, 3) == 6
    assert threshold(Rule.parse("> 1/2 cast"), 100, 10, 3) == 2
    with pytest.raises(ValueError):
        threshold(Rule.parse("> 1/2 present"), 100, None, 3)


def test_threshold_no_float_error_on_large_counts():
    # 2/3 of 3 * 10**20 is exactly 2 * 10**20; floats would drift.
    assert threshold(Rule.parse(">= 2/3 entitled"), 3 * 10**20, None, None) == 2 * 10**20
    assert threshold(Rule.parse("> 2/3 entitled"), 3 * 10**20, None, None) == 2 * 10**20 + 1


# ------------------------------------------------------------------ quorum

@pytest.mark.parametrize("code", [
    "residents-representatives-meeting", "villagers-representatives-meeting",
])
def test_two_thirds_quorum_exact_and_one_short(code):
    met = quorum(T[code], 30, 20)
    assert met.met and met.needed == 20 and met.ratio == Fraction(2, 3)
    short = quorum(T[code], 30, 19)
    assert not short.met and short.needed == 20
    assert quorum(T[code], 31, 20).met is False
    assert quorum(T[code], 31, 21).met is True


def test_exactly_half_party_meeting_met():
    q = quorum(T["party-members-meeting"], 30, 15)
    assert q.met and q.needed == 15
    assert not quorum(T["party-members-meeting"], 30, 14).met


@pytest.mark.parametrize("code", [
    "residents-meeting", "villagers-meeting",
    "two-committees-meeting", "branch-committee-meeting",
])
def test_exactly_half_not_met_where_more_than_half_needed(code):
    q = quorum(T[code], 30, 15)
    assert not q.met and q.needed == 16
    assert quorum(T[code], 30, 16).met


@pytest.mark.parametrize("code", NO_QUORUM)
def test_no_quorum_meetings_always_quorate(code):
    q = quorum(T[code], 30, 1)
    assert q.met and q.needed is None and q.ratio == Fraction(1, 30)
    assert quorum(T[code], None, 0).met


def test_quorum_explanations():
    q = quorum(T["residents-representatives-meeting"], 30, 20)
    assert q.explanation_en == "20 of 30 present: needs at least 20 (≥ 2/3)"
    assert q.explanation_zh == "应到30人，实到20人，须至少20人（不少于三分之二）"
    q = quorum(T["residents-meeting"], 30, 15)
    assert q.explanation_en == "15 of 30 present: needs at least 16 (> 1/2)"
    assert q.explanation_zh == "应到30人，实到15人，须至少16人（超过半数）"
    q = quorum(T["party-members-meeting"], 30, 15)
    assert q.explanation_zh == "应到30人，实到15人，须至少15人（不少于半数）"


@pytest.mark.parametrize("code", list(DEFAULT_TYPES))
def test_zero_entitled(code):
    mt = T[code]
    q = quorum(mt, 0, 0)
    assert q.ratio is None
    assert q.met is (mt.quorum is None)
    v = vote_result(mt, 0, 0, 0, 0, 0)
    assert v.result == ("failed" if mt.quorum is None else "void")


def test_present_exceeds_entitled():
    with pytest.raises(ValueError, match="exceeds"):
        quorum(T["residents-meeting"], 10, 11)
    with pytest.raises(ValueError, match="exceeds"):
        vote_result(T["council"], 10, 11, 1, 0, 0)


def test_entitled_required_when_a_rule_needs_it():
    with pytest.raises(ValueError, match="entitled"):
        quorum(T["residents-meeting"], None, 10)
    with pytest.raises(ValueError, match="entitled"):
        vote_result(T["party-members-meeting"], None, 10, 6, 0, 0)
    # a council needs no entitled count
    assert vote_result(T["council"], None, 10, 6, 4, 0).result == "passed"


@pytest.mark.parametrize("args", [
    (-1, 0), (10, -1),
])
def test_negative_attendance(args):
    with pytest.raises(ValueError, match="negative"):
        quorum(T["residents-meeting"], *args)


# -------------------------------------------------------------------- votes

@pytest.mark.parametrize("code", [
    "residents-meeting", "residents-representatives-meeting",
    "villagers-meeting", "villagers-representatives-meeting",
    "two-committees-meeting", "branch-committee-meeting",
])
def test_majority_of_present_and_one_short(code):
    mt = T[code]
    passed = vote_result(mt, 30, 21, 11, 10, 0)
    assert passed.result == "passed" and passed.needed == 11
    short = vote_result(mt, 30, 21, 10, 5, 6)
    assert short.result == "failed" and short.needed == 11
    # exactly half of those present is not more than half
    half = vote_result(mt, 30, 20, 10, 0, 10)
    assert half.result == "failed" and half.needed == 11


def test_party_meeting_needs_majority_of_entitled_not_present():
    mt = T["party-members-meeting"]
    # 20 of 30 present; 12 yes is more than half of 20 present but not of 30 entitled
    v = vote_result(mt, 30, 20, 12, 8, 0)
    assert v.result == "failed" and v.needed == 16
    # the same count passes a residents' meeting
    assert vote_result(T["residents-meeting"], 30, 20, 12, 8, 0).result == "passed"
    # one short of a majority of entitled, and exactly it
    assert vote_result(mt, 30, 20, 15, 5, 0).result == "failed"
    assert vote_result(mt, 30, 20, 16, 4, 0).result == "passed"
    assert vote_result(mt, 31, 16, 16, 0, 0).result == "passed"
    assert vote_result(mt, 31, 16, 15, 0, 1).result == "failed"


def test_party_meeting_vote_text():
    v = vote_result(T["party-members-meeting"], 30, 20, 14, 6, 0)
    assert v.result == "failed"
    assert v.explanation_en == "14 yes of 30 entitled: needs more than 15"
    assert v.explanation_zh == "赞成14票，应到30人：须超过15票"


def test_present_based_vote_text_chinese():
    v = vote_result(T["residents-meeting"], 30, 20, 11, 9, 0)
    assert v.result == "passed"
    assert v.explanation_en == "11 yes of 20 present: needs more than 10"
    assert v.explanation_zh == "赞成11票，实到20人：须超过10票"


@pytest.mark.parametrize("code", NO_QUORUM)
def test_yes_over_no_tie_fails_and_one_more_passes(code):
    mt = T[code]
    tie = vote_result(mt, None, 12, 5, 5, 2)
    assert tie.result == "failed" and tie.needed == 6
    assert tie.explanation_en == "5 yes, 5 no: needs more yes than no (at least 6)"
    assert tie.explanation_zh == "赞成5票，反对5票：赞成票须多于反对票（至少6票）"
    win = vote_result(mt, None, 12, 6, 5, 1)
    assert win.result == "passed"
    # abstentions do not count against: 1 yes, 0 no, 10 abstain passes
    assert vote_result(mt, None, 12, 1, 0, 10).result == "passed"


@pytest.mark.parametrize("code", NO_QUORUM)
def test_no_votes_at_all_fails(code):
    assert vote_result(T[code], None, 5, 0, 0, 5).result == "failed"


def test_void_for_want_of_quorum():
    # unanimous yes, but only 15 of 30: residents' meeting is void
    v = vote_result(T["residents-meeting"], 30, 15, 15, 0, 0)
    assert v.result == "void" and not v.quorum.met
    assert v.explanation_en.startswith("void")
    assert "无效" in v.explanation_zh
    # 19 of 30 for a representatives' meeting: void even if all say yes
    assert vote_result(T["villagers-representatives-meeting"], 30, 19, 19, 0, 0).result == "void"
    assert vote_result(T["party-members-meeting"], 30, 14, 14, 0, 0).result == "void"


def test_ballots_exceeding_present():
    with pytest.raises(ValueError, match="exceeds"):
        vote_result(T["residents-meeting"], 30, 20, 11, 9, 1)
    with pytest.raises(ValueError, match="exceeds"):
        vote_result(T["council"], None, 3, 2, 2, 0)


@pytest.mark.parametrize("counts", [
    (30, 20, -1, 0, 0), (30, 20, 0, -1, 0), (30, 20, 0, 0, -1),
    (30, -1, 0, 0, 0), (-30, 20, 0, 0, 0),
])
def test_negative_counts(counts):
    with pytest.raises(ValueError, match="negative"):
        vote_result(T["residents-meeting"], *counts)


def test_non_integer_counts_refused():
    with pytest.raises(ValueError):
        vote_result(T["residents-meeting"], 30, 20.0, 11, 0, 0)
    with pytest.raises(ValueError):
        vote_result(T["residents-meeting"], 30, True, 1, 0, 0)


def test_custom_cast_rule_as_data():
    # a two-thirds-of-votes-cast rule, given as data only
    mt = MeetingType("special", "特别会议", "Special", None, Rule.parse(">= 2/3 cast"))
    assert vote_result(mt, None, 10, 6, 3, 1).result == "passed"   # 6 >= 2/3 * 9
    v = vote_result(mt, None, 10, 5, 3, 2)                          # 5 < 2/3 * 8
    assert v.result == "failed" and v.needed == 6


def test_zero_yes_never_passes_even_when_at_least_rule_is_vacuous():
    # ">= 1/2 of 0 present" and ">= 2/3 of 0 cast" are satisfied by 0 yes
    # arithmetically; a motion with no yes vote must still fail.
    present_rule = MeetingType("p", "某会", "P", None, Rule.parse(">= 1/2 present"))
    v = vote_result(present_rule, None, 0, 0, 0, 0)
    assert v.result == "failed" and v.needed == 1
    cast_rule = MeetingType("c", "某会", "C", None, Rule.parse(">= 2/3 cast"))
    v = vote_result(cast_rule, None, 4, 0, 0, 4)
    assert v.result == "failed" and v.needed == 1
