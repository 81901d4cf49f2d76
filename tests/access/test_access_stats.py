"""The burden cut in figures: Hefei's 156 → 73 (53.2%), the example town's
list by department and kind, and the figures a weekly report asks for."""

import datetime as dt
import json

import pytest

from cgov.access import service
from cgov.core import clock, store
from cgov.core.errors import Invalid, Refused

DEPARTMENTS = ["cj-police", "cj-urban", "cj-market", "cj-housing", "cj-civil", "cj-justice", "cj-health",
               "cj-fire", "cj-ecology"]


def hefei_list(total=156, kept=73, negative=4) -> str:
    """A list of `total` routine items admitted at the start of 2026, of which
    all but `kept` are taken off in the summer's review, plus a few
    negative-list items (no burden, not counted)."""
    lines = ["cgov: 1", "access_items:"]
    for n in range(1, total + negative + 1):
        kind = "negative" if n > total else ("duty" if n % 4 == 0 else "assist")
        lines += [f"  - id: A-{n:04d}", f"    name: 社区工作事项{n:03d}",
                  f"    department: {DEPARTMENTS[n % len(DEPARTMENTS)]}", f"    kind: {kind}"]
        if kind == "assist":
            lines.append('    funding: "1000"')
        lines += ["    history:", '      - {at: "2026-01-05T09:00", action: add}']
        if kept < n <= total:
            lines.append('      - {at: "2026-06-30T17:00", action: revoke, reason: 清单精简}')
    return "\n".join(lines) + "\n"


@pytest.fixture
def hefei(town, load, now):
    load(town, hefei_list())
    return town


def test_156_to_73_is_a_cut_of_53_2_percent(hefei):
    with store.reading(hefei) as s:
        given = service.stats(s, baseline=156)
        dated = service.stats(s, baseline_date=dt.date(2026, 3, 1))
    for result in (given, dated):
        assert (result["baseline"], result["admitted"], result["reduction"]) == (156, 73, 83)
        assert result["reduction_rate"] == 0.532
        assert result["negative"] == 4
    assert dated["baseline_date"] == dt.date(2026, 3, 1)
    assert sum(d["admitted"] for d in given["by_department"]) == 73
    assert sum(d["revoked"] for d in given["by_department"]) == 83
    kinds = {k["kind"]: k for k in given["by_kind"]}
    assert kinds["duty"]["admitted"] + kinds["assist"]["admitted"] == 73
    assert kinds["negative"]["admitted"] == 4


def test_baseline_date_counts_what_was_in_force_that_day(hefei):
    with store.reading(hefei) as s:
        assert service.stats(s, baseline_date=dt.date(2026, 6, 30))["baseline"] == 73  # revoked that day
        assert service.stats(s, baseline_date=dt.date(2026, 6, 29))["baseline"] == 156
        with pytest.raises(Refused, match="no item was in force on 2025-12-31"):
            service.stats(s, baseline_date=dt.date(2025, 12, 31))


def test_stats_cli_shows_the_rate(hefei, town_cli):
    r = town_cli("access", "stats", "--baseline", "156", "-f", "json")
    assert r.exit_code == 0, r.output
    data = json.loads(r.stdout)
    assert {k: data[k] for k in ("baseline", "admitted", "reduction", "reduction_rate")} == {
        "baseline": 156, "admitted": 73, "reduction": 83, "reduction_rate": 0.532}
    r = town_cli("access", "stats", "--baseline", "156", "-f", "plain", "--lang", "zh")
    assert r.exit_code == 0, r.output
    assert "精简率" in r.stdout and "53.2%" in r.stdout


def test_baseline_options_are_checked(hefei):
    with store.reading(hefei) as s:
        with pytest.raises(Invalid, match="give --baseline or --baseline-date, not both"):
            service.stats(s, baseline=156, baseline_date=dt.date(2026, 3, 1))
        with pytest.raises(Invalid, match="--baseline 0"):
            service.stats(s, baseline=0)
        assert service.stats(s)["reduction_rate"] is None


def test_example_town_figures(listed):
    with store.reading(listed) as s:
        result = service.stats(s, baseline=156)
    assert result["as_of"] == dt.date(2026, 11, 23)
    assert (result["admitted"], result["negative"]) == (29, 9)
    assert result["reduction_rate"] == round(127 / 156, 3)
    assert {k: result[f"applications_{k}"] for k in ("received", "decided", "admitted", "rejected", "pending",
                                                   "overdue")} == {
        "received": 14, "decided": 9, "admitted": 4, "rejected": 5, "pending": 5, "overdue": 2}
    assert result["refused_requests"] == 10
    kinds = {k["kind"]: k for k in result["by_kind"]}
    assert kinds["assist"] == {"kind": "assist", "admitted": 23, "pending": 5, "rejected": 5, "revoked": 2,
                               "expired": 1}
    police = next(d for d in result["by_department"] if d["department"] == "cj-police")
    assert police == {"department": "cj-police", "department_name": "陈家镇派出所", "admitted": 3, "negative": 3,
                      "funding": 8000, "pending": 0, "overdue": 0, "rejected": 1, "revoked": 1,
                      "refused_requests": 3}
    assert result["funding"] == sum(d["funding"] for d in result["by_department"])


def test_stats_as_of_an_earlier_day(listed):
    with store.reading(listed) as s:
        early = service.stats(s, on=dt.date(2026, 10, 31))
    # before the November revocations and the 11-15 expiry, and fewer refusals
    assert early["admitted"] == 31
    assert early["refused_requests"] == 3
    assert early["applications_pending"] == 4  # A-0044, A-0046 decided in November; A-0047, A-0048


def local(text):
    return clock.parse_at(text)


def test_period_figures_for_a_weekly_report(listed):
    with store.reading(listed) as s:
        week = service.period_figures(s, local("2026-11-09"), local("2026-11-16"), baseline=156)
        last = service.period_figures(s, local("2026-11-16"), local("2026-11-23"))
    assert {k: week[k] for k in week if k not in ("start", "end")} == {
        "applications_received": 1,  # A-0051
        "applications_decided": 1,  # A-0046, rejected two days past its due date
        "applications_decided_late": 1,
        "applications_overdue": 1,  # A-0047, due 11-11, still undecided on 11-15
        "items_admitted": 0, "items_revoked": 1,  # A-0015
        "requests_refused": 2,  # R-0006, R-0007
        "admitted": 31, "baseline": 156, "reduction": 125, "reduction_rate": round(125 / 156, 3),
        "limit_days": 15}
    assert (last["applications_overdue"], last["items_revoked"], last["requests_refused"]) == (2, 1, 3)
    assert last["admitted"] == 29  # A-0022 revoked on 11-16, A-0038 expired after 11-15
    assert last["reduction_rate"] is None


def test_period_must_end_after_it_starts(listed):
    with store.reading(listed) as s:
        with pytest.raises(Invalid, match="the period ends"):
            service.period_figures(s, local("2026-11-16"), local("2026-11-16"))
