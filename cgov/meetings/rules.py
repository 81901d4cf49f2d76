"""Quorum and passing rules for meetings, kept as data.

Rules are law (城市居民委员会组织法, 村民委员会组织法, 中国共产党支部工作条例),
so each meeting type carries its rules as values of :class:`Rule`; the
arithmetic below reads those values and never branches on a meeting's code.

Pure: standard library only, no database, no I/O, no floats.

Rule text
---------
``str(rule)`` and :meth:`Rule.parse` use ``"<op> N/D base"``:

* ``op``   ``>`` (strictly more than, 超过) or ``>=`` (at least, 不少于;
  ``≥`` is accepted when parsing);
* ``N/D``  a fraction with ``1 <= N <= D`` (``> 1/1`` is impossible and refused);
* ``base`` ``entitled`` (应到: everyone entitled to attend and vote),
  ``present`` (实到: those present and entitled to vote) or
  ``cast`` (votes cast *for or against*: ``yes + no``; abstentions do not count).

The special rule ``"yes > no"`` (more yes than no votes) is not a separate
field or flag: since ``yes > no  <=>  yes > 1/2 (yes + no)`` it *is*
``Rule(1, 2, strict=True, base="cast")``.  That rule prints as ``"yes > no"``
and both ``"yes > no"`` and ``"> 1/2 cast"`` parse to it, so
``Rule.parse(str(r)) == r`` always holds and ``str(Rule.parse(s)) == s`` holds
for every canonical string.

Counts given to :func:`quorum` and :func:`vote_result`
-----------------------------------------------------
``entitled`` and ``present`` count only people *entitled to vote*.  For a
party members' meeting (``voters == "full-members"``) the caller must exclude
probationary members (预备党员) and guests (列席人员): they attend without a
vote and count neither towards the quorum nor towards the passing threshold.
``entitled`` may be ``None`` (unknown) only when no rule of the meeting type
is based on it (e.g. a council 议事会 with no quorum).

Two sanity invariants apply on top of the rules: a quorum of nobody is never
met (``entitled == 0`` means the meeting cannot be quorate), and no motion
passes with zero yes votes.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from fractions import Fraction
from math import floor
from typing import Any

__all__ = [
    "BASES",
    "VOTERS",
    "Rule",
    "MeetingType",
    "DEFAULT_TYPES",
    "ENTITLED",
    "QuorumResult",
    "VoteResult",
    "threshold",
    "quorum",
    "vote_result",
]

BASES = ("entitled", "present", "cast")
VOTERS = ("all", "full-members")
SCHEDULES = ("monthly", "quarterly")  # plus "monthly:<day 1-31>"
# Who is entitled to attend: every current member of the convening
# organizations, members holding one of some roles ("roles:a,b"), a number
# given at the meeting (all adult residents), or nobody in particular (a
# council or hearing open to whoever comes: those present are the voters).
ENTITLED = ("members", "given", "open")  # plus "roles:<role>,<role>…"

_RULE_RE = re.compile(
    r"^\s*(?P<op>>=|≥|>)\s*(?P<n>\d+)\s*/\s*(?P<d>\d+)\s+(?P<base>[a-z]+)\s*$"
)
_YES_OVER_NO_RE = re.compile(r"^\s*yes\s*>\s*no\s*$", re.IGNORECASE)
_SCHEDULE_DAY_RE = re.compile(r"^monthly:(\d{1,2})$")
_ENTITLED_ROLES_RE = re.compile(r"^roles:[a-z-]+(,[a-z-]+)*$")


@dataclass(frozen=True)
class Rule:
    """``strict`` True means "more than" (>, 超过); False "at least" (≥, 不少于)."""

    numerator: int
    denominator: int
    strict: bool
    base: str

    def __post_init__(self) -> None:
        for name in ("numerator", "denominator"):
            v = getattr(self, name)
            if not isinstance(v, int) or isinstance(v, bool):
                raise ValueError(f"rule {name} must be an integer, got {v!r}")
        if not isinstance(self.strict, bool):
            raise ValueError(f"rule strict must be a bool, got {self.strict!r}")
        if self.base not in BASES:
            raise ValueError(
                f"rule base must be one of {', '.join(BASES)}, got {self.base!r}"
            )
        if not 1 <= self.numerator <= self.denominator:
            raise ValueError(
                f"rule fraction must satisfy 1 <= N <= D, got "
                f"{self.numerator}/{self.denominator}"
            )
        if self.strict and self.numerator == self.denominator:
            raise ValueError(
                f"rule '> {self.numerator}/{self.denominator}' can never be satisfied"
            )

    @property
    def fraction(self) -> Fraction:
        return Fraction(self.numerator, self.denominator)

    @property
    def is_yes_over_no(self) -> bool:
        """True for the rule "yes > no" (i.e. ``> 1/2 cast``)."""
        return self.base == "cast" and self.strict and self.fraction == Fraction(1, 2)

    @property
    def op(self) -> str:
        return ">" if self.strict else ">="

    @property
    def symbol(self) -> str:
        """Comparison and fraction for display, e.g. ``"≥ 2/3"``."""
        return f"{'>' if self.strict else '≥'} {self.numerator}/{self.denominator}"

    @property
    def text_zh(self) -> str:
        """e.g. ``"不少于三分之二"``, ``"超过半数"``."""
        return ("超过" if self.strict else "不少于") + _fraction_zh(
            self.numerator, self.denominator
        )

    @classmethod
    def parse(cls, text: str) -> "Rule":
        """Parse ``"> 1/2 present"``, ``">= 2/3 entitled"``, ``"≥ 1/2 entitled"``
        or ``"yes > no"``.  Raises ValueError on anything else."""
        if not isinstance(text, str):
            raise ValueError(f"rule text must be a string, got {text!r}")
        if _YES_OVER_NO_RE.match(text):
            return cls(1, 2, True, "cast")
        m = _RULE_RE.match(text)
        if not m:
            raise ValueError(
                f"cannot parse rule {text!r}: expected '> N/D base', "
                f"'>= N/D base' (base: {', '.join(BASES)}) or 'yes > no'"
            )
        return cls(
            int(m["n"]), int(m["d"]), m["op"] == ">", m["base"]
        )

    def __str__(self) -> str:
        if self.is_yes_over_no:
            return "yes > no"
        return f"{self.op} {self.numerator}/{self.denominator} {self.base}"


def valid_schedule(text: str) -> bool:
    """"monthly", "quarterly" or "monthly:<day 1-31>"."""
    if text in SCHEDULES:
        return True
    m = _SCHEDULE_DAY_RE.match(text)
    return bool(m) and 1 <= int(m[1]) <= 31


@dataclass(frozen=True)
class MeetingType:
    """A kind of meeting and the rules it must follow.

    ``quorum`` None means no quorum is required; a quorum rule must be based
    on ``entitled``.  ``voters`` is "all" or "full-members" (party members'
    meeting: only full members vote).  ``schedule`` is "monthly",
    "quarterly", "monthly:<day>" (e.g. "monthly:15") or None.
    ``entitled`` says who is entitled to attend (see ENTITLED).
    ``scheduled_for`` names organization classifications the schedule binds
    whether or not they have ever held such a meeting (三会一课 binds every
    party branch); other organizations are bound once they convene one.
    """

    code: str
    name: str
    name_en: str
    quorum: Rule | None
    passing: Rule
    voters: str = "all"
    schedule: str | None = None
    entitled: str = "members"
    scheduled_for: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not self.code or not isinstance(self.code, str):
            raise ValueError("meeting type code must be a non-empty string")
        if self.quorum is not None:
            if not isinstance(self.quorum, Rule):
                raise ValueError(f"{self.code}: quorum must be a Rule or None")
            if self.quorum.base != "entitled":
                raise ValueError(
                    f"{self.code}: a quorum rule must be based on 'entitled', "
                    f"got {str(self.quorum)!r}"
                )
        if not isinstance(self.passing, Rule):
            raise ValueError(f"{self.code}: passing must be a Rule")
        if self.voters not in VOTERS:
            raise ValueError(
                f"{self.code}: voters must be one of {', '.join(VOTERS)}, "
                f"got {self.voters!r}"
            )
        if self.schedule is not None and not valid_schedule(self.schedule):
            raise ValueError(
                f"{self.code}: schedule must be 'monthly', 'quarterly', "
                f"'monthly:<1-31>' or None, got {self.schedule!r}"
            )
        if self.entitled not in ENTITLED and not _ENTITLED_ROLES_RE.match(self.entitled):
            raise ValueError(
                f"{self.code}: entitled must be one of {', '.join(ENTITLED)} or "
                f"'roles:<role>,<role>', got {self.entitled!r}"
            )
        if self.entitled == "open":
            for rule in (self.quorum, self.passing):
                if rule is not None and rule.base == "entitled":
                    raise ValueError(
                        f"{self.code}: a meeting open to whoever comes has no "
                        f"entitled count for rule {str(rule)!r}"
                    )
        if not isinstance(self.scheduled_for, tuple):
            raise ValueError(f"{self.code}: scheduled_for must be a tuple")

    @property
    def entitled_roles(self) -> tuple[str, ...]:
        """The roles of ``entitled: roles:a,b``; empty otherwise."""
        if self.entitled.startswith("roles:"):
            return tuple(self.entitled[len("roles:"):].split(","))
        return ()

    def to_dict(self) -> dict[str, Any]:
        """Plain data (rules as their text), e.g. for storage or JSON."""
        return {
            "code": self.code,
            "name": self.name,
            "name_en": self.name_en,
            "quorum": None if self.quorum is None else str(self.quorum),
            "passing": str(self.passing),
            "voters": self.voters,
            "schedule": self.schedule,
            "entitled": self.entitled,
            "scheduled_for": list(self.scheduled_for),
        }

    @classmethod
    def from_dict(cls, d: dict[str, Any]) -> "MeetingType":
        q = d.get("quorum")
        return cls(
            code=d["code"],
            name=d["name"],
            name_en=d["name_en"],
            quorum=None if q in (None, "", "none") else Rule.parse(q),
            passing=Rule.parse(d["passing"]),
            voters=d.get("voters") or "all",
            schedule=d.get("schedule") or None,
            entitled=d.get("entitled") or "members",
            scheduled_for=tuple(d.get("scheduled_for") or ()),
        )


def _mt(code, name, name_en, quorum, passing, voters="all", schedule=None,
        entitled="members", scheduled_for=()):
    return MeetingType(
        code=code,
        name=name,
        name_en=name_en,
        quorum=None if quorum is None else Rule.parse(quorum),
        passing=Rule.parse(passing),
        voters=voters,
        schedule=schedule,
        entitled=entitled,
        scheduled_for=scheduled_for,
    )


# 居民(村民)代表会议由居民(村民)委员会成员和居民(村民)代表组成.
_COMMITTEE_AND_REPRESENTATIVES = "roles:director,deputy-director,member,representative"
_TWO_COMMITTEES = "roles:secretary,deputy-secretary,director,deputy-director,member"
# 三方联席会: the heads of the party organization, residents' committee,
# owners' committee and property company.
_HEADS = "roles:secretary,deputy-secretary,director,deputy-director,manager"


DEFAULT_TYPES: dict[str, MeetingType] = {
    mt.code: mt
    for mt in (
        # 城市居民委员会组织法: 过半数出席，出席人的过半数通过
        _mt("residents-meeting", "居民会议", "Residents' meeting",
            "> 1/2 entitled", "> 1/2 present", entitled="given"),
        _mt("residents-representatives-meeting", "居民代表会议",
            "Residents' representatives meeting",
            ">= 2/3 entitled", "> 1/2 present",
            entitled=_COMMITTEE_AND_REPRESENTATIVES),
        # 村民委员会组织法
        _mt("villagers-meeting", "村民会议", "Villagers' meeting",
            "> 1/2 entitled", "> 1/2 present", entitled="given"),
        _mt("villagers-representatives-meeting", "村民代表会议",
            "Villagers' representatives meeting",
            ">= 2/3 entitled", "> 1/2 present",
            entitled=_COMMITTEE_AND_REPRESENTATIVES),
        # 中国共产党支部工作条例: 半数以上有表决权的党员到会方可进行，
        # 赞成人数超过应到会有表决权的党员的半数为通过
        _mt("party-members-meeting", "党员大会", "Party members' meeting",
            ">= 1/2 entitled", "> 1/2 entitled",
            voters="full-members", schedule="quarterly",
            scheduled_for=("party-branch",)),
        _mt("two-committees-meeting", "两委会议", "Two committees' meeting",
            "> 1/2 entitled", "> 1/2 present", schedule="monthly",
            entitled=_TWO_COMMITTEES),
        _mt("branch-committee-meeting", "支委会", "Party branch committee meeting",
            "> 1/2 entitled", "> 1/2 present", schedule="monthly"),
        _mt("joint-meeting", "联席会议", "Three-party joint meeting",
            None, "yes > no", schedule="monthly", entitled=_HEADS),
        _mt("council", "议事会", "Residents' council", None, "yes > no",
            entitled="open"),
        _mt("hearing", "听证会", "Hearing", None, "yes > no", entitled="open"),
        _mt("coordination", "协调会", "Coordination meeting", None, "yes > no",
            entitled="open"),
        _mt("evaluation", "评议会", "Evaluation meeting", None, "yes > no",
            entitled="open"),
        _mt("grid-night-talk", "网格夜谈会", "Grid night talk",
            None, "yes > no", schedule="monthly:15", entitled="open"),
        _mt("police-briefing", "警情通报会", "Police briefing",
            None, "yes > no", schedule="quarterly", entitled="open"),
    )
}


# ---------------------------------------------------------------- arithmetic

def _check_count(name: str, value: Any, allow_none: bool = False) -> None:
    if value is None and allow_none:
        return
    if not isinstance(value, int) or isinstance(value, bool):
        raise ValueError(f"{name} must be a whole number, got {value!r}")
    if value < 0:
        raise ValueError(f"{name} must not be negative, got {value}")


def _least_satisfying(rule: Rule, base: int) -> int:
    """Least whole x with x > f*base (strict) or x >= f*base."""
    bound = rule.fraction * base
    if rule.strict:
        return floor(bound) + 1
    return -((-bound.numerator) // bound.denominator)  # ceil, exact


def threshold(rule: Rule, entitled: int | None, present: int | None,
              cast: int | None) -> int:
    """The least whole number that satisfies ``rule`` over its base count.

    ``cast`` is votes for or against (yes + no).  Only the count named by
    ``rule.base`` is used; it must be given and non-negative.
    >>> threshold(Rule.parse("> 1/2 entitled"), 30, None, None)
    16
    >>> threshold(Rule.parse(">= 2/3 entitled"), 31, None, None)
    21
    """
    counts = {"entitled": entitled, "present": present, "cast": cast}
    base = counts[rule.base]
    if base is None:
        raise ValueError(f"rule {str(rule)!r} needs the {rule.base} count")
    _check_count(rule.base, base)
    return _least_satisfying(rule, base)


@dataclass(frozen=True)
class QuorumResult:
    met: bool
    needed: int | None          # None when no quorum is required
    ratio: Fraction | None      # present / entitled; None when entitled is 0 or unknown
    explanation_en: str
    explanation_zh: str


@dataclass(frozen=True)
class VoteResult:
    result: str                 # "passed" | "failed" | "void"
    needed: int | None          # least yes votes that pass (None: cannot pass)
    quorum: QuorumResult
    explanation_en: str
    explanation_zh: str

    @property
    def passed(self) -> bool:
        return self.result == "passed"


def _check_attendance(mt: MeetingType, entitled: int | None, present: int) -> None:
    _check_count("entitled", entitled, allow_none=True)
    _check_count("present", present)
    if entitled is None:
        for rule in (mt.quorum, mt.passing):
            if rule is not None and rule.base == "entitled":
                raise ValueError(
                    f"{mt.code}: the entitled count is required (rule {str(rule)!r})"
                )
    elif present > entitled:
        raise ValueError(
            f"present ({present}) exceeds those entitled to vote ({entitled})"
        )


def quorum(mt: MeetingType, entitled: int | None, present: int) -> QuorumResult:
    """Is the meeting quorate?  Counts are of voting members only (see module doc)."""
    _check_attendance(mt, entitled, present)
    ratio = Fraction(present, entitled) if entitled else None
    rule = mt.quorum
    if rule is None:
        if entitled is None:
            en = f"{present} present: no quorum required"
            zh = f"实到{present}人：无法定人数要求"
        else:
            en = f"{present} of {entitled} present: no quorum required"
            zh = f"应到{entitled}人，实到{present}人：无法定人数要求"
        return QuorumResult(True, None, ratio, en, zh)
    assert entitled is not None  # checked above: quorum rules are on entitled
    needed = threshold(rule, entitled, present, None)
    if entitled == 0:
        return QuorumResult(
            False, needed, None,
            "nobody is entitled to attend: the quorum cannot be met",
            "应到0人：无法达到法定人数",
        )
    met = present >= needed
    return QuorumResult(
        met, needed, ratio,
        f"{present} of {entitled} present: needs at least {needed} ({rule.symbol})",
        f"应到{entitled}人，实到{present}人，须至少{needed}人（{rule.text_zh}）",
    )


def vote_result(mt: MeetingType, entitled: int | None, present: int,
                yes: int, no: int, abstain: int) -> VoteResult:
    """Count a vote.  ``entitled`` / ``present`` count voting members only;
    for a party members' meeting the caller excludes probationary members
    and guests.  ``yes + no + abstain`` must not exceed ``present``.

    ``needed`` is the least number of yes votes that passes the motion,
    the other counts as they stand (for a rule on ``cast`` that depends on
    the no votes: for "yes > no" it is ``no + 1``).  ``result`` is "void"
    when the quorum is not met.
    """
    _check_attendance(mt, entitled, present)
    for name, v in (("yes", yes), ("no", no), ("abstain", abstain)):
        _check_count(name, v)
    ballots = yes + no + abstain
    if ballots > present:
        raise ValueError(
            f"yes + no + abstain ({yes} + {no} + {abstain} = {ballots}) exceeds "
            f"those present and entitled to vote ({present})"
        )

    q = quorum(mt, entitled, present)
    rule = mt.passing
    needed = _needed_yes(rule, entitled, present, no)
    if needed is not None:
        needed = max(needed, 1)  # no motion passes with zero yes votes

    en, zh = _vote_text(rule, entitled, present, yes, no, needed)
    if not q.met:
        return VoteResult(
            "void", needed, q,
            f"void, quorum not met: {q.explanation_en}",
            f"无效，未达法定人数：{q.explanation_zh}",
        )
    passed = needed is not None and yes >= needed
    return VoteResult("passed" if passed else "failed", needed, q, en, zh)


def _needed_yes(rule: Rule, entitled: int | None, present: int,
                no: int) -> int | None:
    if rule.base != "cast":
        return threshold(rule, entitled, present, None)
    # yes  (>|>=)  n/d * (yes + no)   <=>   yes * (d - n)  (>|>=)  n * no
    n, d = rule.numerator, rule.denominator
    rhs = n * no
    if d == n:  # ">= 1/1 cast": unanimity among those voting for or against
        return 0 if no == 0 else None
    k = d - n
    return rhs // k + 1 if rule.strict else -(-rhs // k)


def _vote_text(rule: Rule, entitled: int | None, present: int,
               yes: int, no: int, needed: int | None) -> tuple[str, str]:
    if rule.base == "cast":
        if needed is None:
            return (
                f"{yes} yes, {no} no: cannot pass ({rule.symbol} of votes for or against)",
                f"赞成{yes}票，反对{no}票：无法通过（须{rule.text_zh}）",
            )
        if rule.is_yes_over_no:
            return (
                f"{yes} yes, {no} no: needs more yes than no (at least {needed})",
                f"赞成{yes}票，反对{no}票：赞成票须多于反对票（至少{needed}票）",
            )
        return (
            f"{yes} yes, {no} no: needs at least {needed} ({rule.symbol} of votes for or against)",
            f"赞成{yes}票，反对{no}票：须至少{needed}票（赞成票{rule.text_zh}）",
        )
    if rule.base == "entitled":
        en_base, zh_base = f"of {entitled} entitled", f"应到{entitled}人"
    else:
        en_base, zh_base = f"of {present} present", f"实到{present}人"
    assert needed is not None
    if rule.strict:
        en_need, zh_need = f"more than {needed - 1}", f"超过{needed - 1}票"
    else:
        en_need, zh_need = f"at least {needed}", f"至少{needed}票"
    return (
        f"{yes} yes {en_base}: needs {en_need}",
        f"赞成{yes}票，{zh_base}：须{zh_need}",
    )


# ------------------------------------------------------------ Chinese numbers

_DIGITS_ZH = "零一二三四五六七八九"


def _int_zh(n: int) -> str:
    if 0 <= n < 10:
        return _DIGITS_ZH[n]
    if 10 <= n < 100:
        tens, ones = divmod(n, 10)
        return ("" if tens == 1 else _DIGITS_ZH[tens]) + "十" + (
            _DIGITS_ZH[ones] if ones else ""
        )
    return str(n)


def _fraction_zh(n: int, d: int) -> str:
    f = Fraction(n, d)
    if f == Fraction(1, 2):
        return "半数"
    if f == 1:
        return "全部"
    return f"{_int_zh(d)}分之{_int_zh(n)}"
