"""`check`, the gatekeeper, on the example town's list (examples/access.yaml)
as a community worker meets it on 2026-11-23: requests worded the way they
arrive, against admitted, negative, rejected, revoked, pending, expired and
absent items."""

import pytest

from cgov.access import matching, service
from cgov.core import store

# (request, verdict, ground, item)
REQUESTS = [
    # admitted: the department may hand it down
    ("帮忙填一下燃气安全排查台账", "admitted", "admitted", "A-0040"),
    ("请尽快完成高龄津贴申请的初审", "admitted", "admitted", "A-0008"),
    ("麻烦采集一下辖区退役军人的信息", "admitted", "admitted", "A-0041"),
    ("城乡居民养老保险参保，本周内完成", "admitted", "admitted", "A-0012"),
    ("请协助做好城乡居民医保参保登记工作", "admitted", "admitted", "A-0013"),
    ("外来流动人口居住登记", "admitted", "admitted", "A-0014"),
    ("电信诈骗防范宣传", "admitted", "admitted", "A-0016"),
    ("高空抛物宣传", "admitted", "admitted", "A-0017"),
    ("防台防汛物资储备情况", "admitted", "admitted", "A-0019"),
    ("开展食品安全宣传活动", "admitted", "admitted", "A-0020"),
    ("老旧小区改造征求居民意见", "admitted", "admitted", "A-0021"),
    ("社区矫正人员日常走访", "admitted", "admitted", "A-0023"),
    ("献血宣传", "admitted", "admitted", "A-0025"),
    ("网格消防巡查", "admitted", "admitted", "A-0026"),
    ("垃圾分类指导宣传", "admitted", "admitted", "A-0027"),
    ("文明养犬宣传进楼道", "admitted", "admitted", "A-0028"),
    ("小餐饮店铺摸排", "admitted", "admitted", "A-0039"),
    ("召开居民代表会议", "admitted", "admitted", "A-0001"),
    # refused: on the negative list
    ("帮居民开一张无犯罪记录证明", "refused", "negative-list", "A-0029"),
    ("给他出具一份亲属关系证明", "refused", "negative-list", "A-0030"),
    ("开个出生日期证明", "refused", "negative-list", "A-0031"),
    ("开具婚姻状况证明（未婚）", "refused", "negative-list", "A-0032"),
    ("配合城管执法拆违", "refused", "negative-list", "A-0033"),
    ("帮物业公司代收一下物业费", "refused", "negative-list", "A-0034"),
    ("参与征地拆迁动员", "refused", "negative-list", "A-0035"),
    # refused: rejected or revoked before
    ("社区治安巡逻排班表每月报送", "refused", "rejected-before", "A-0042"),
    ("每日报送疫苗接种进度", "refused", "rejected-before", "A-0043"),
    ("企业年报催报", "refused", "rejected-before", "A-0045"),
    ("群租排查台账", "refused", "revoked", "A-0022"),
    # not on the list: under review, expired, or nothing like it
    ("河道保洁巡查台账", "not-listed", "pending", "A-0047"),
    ("加装电梯意愿征询", "not-listed", "pending", "A-0049"),
    ("秸秆禁烧巡查", "not-listed", "expired", "A-0038"),
    ("请社区统计辖区内奶茶店数量", "not-listed", "no-match", None),
    ("组织居民观看露天电影", "not-listed", "no-match", None),
    ("帮忙发放防暑降温用品", "not-listed", "no-match", None),
    ("给小区安装快递柜", "not-listed", "no-match", None),
]


@pytest.fixture
def r(listed):
    def run(text, **kwargs):
        with store.reading(listed) as s:
            return service.check(s, text, **kwargs)
    return run


def test_enough_requests():
    assert len(REQUESTS) >= 30
    assert {v for _, v, _, _ in REQUESTS} == {"admitted", "refused", "not-listed"}


@pytest.mark.parametrize(("text", "verdict", "ground", "item"), REQUESTS, ids=[q[0] for q in REQUESTS])
def test_verdict(r, text, verdict, ground, item):
    result = r(text)
    assert (result["verdict"], result["ground"], result["item"]) == (verdict, ground, item), \
        [(c["id"], c["name"], c["score"]) for c in result["candidates"]]


def test_admitted_names_the_item_and_its_funding(r):
    result = r("帮忙填一下燃气安全排查台账")
    assert result["funding"] == 12000
    assert service.explain(result) == (
        "admitted: A-0040 燃气安全隐患排查台账填报 (陈家镇消防救援站), funding 12000 CNY a year; "
        "conditions: 提供排查表、燃气检测仪和入户培训")
    assert service.explain(result, "zh").startswith("已准入：A-0040 燃气安全隐患排查台账填报（陈家镇消防救援站），经费12000元/年")


def test_duty_item_needs_no_funding(r):
    assert "the community's own statutory duty" in service.explain(r("召开居民代表会议"))


def test_refusal_says_which_item_and_why(r):
    rejected = r("社区治安巡逻排班表每月报送")
    assert service.explain(rejected) == (
        "refused: A-0042 社区治安巡逻排班表月报 was applied for and rejected on 2026-10-27: "
        "治安巡逻属派出所职责，排班报表不得转嫁社区")
    assert "may never be handed down" in service.explain(r("开个出生日期证明"))
    assert "taken off the list on 2026-11-16: 并入出租房屋综合治理一张表" in service.explain(r("群租排查台账"))


def test_not_listed_tells_the_department_to_apply(r):
    pending = r("河道保洁巡查台账")
    assert pending["due"] is not None
    assert "is an application under review (due 2026-11-11)" in service.explain(pending)
    absent = r("请社区统计辖区内奶茶店数量")
    assert absent["item"] is None
    assert "The department must apply first" in service.explain(absent)


def test_candidates_are_shown_with_scores_best_first(r):
    result = r("帮忙填一下燃气安全排查台账", limit=3)
    assert len(result["candidates"]) == 3
    top = result["candidates"][0]
    assert (top["id"], top["status"], top["match"]) == ("A-0040", "admitted", True)
    scores = [c["score"] for c in result["candidates"]]
    assert scores == sorted(scores, reverse=True)
    assert all(c["match"] == (c["score"] >= matching.MATCH_THRESHOLD) for c in result["candidates"])


def test_a_clearly_closer_item_of_another_department_decides_over_a_weak_own_match(r):
    # The housing office's own nearest item is its revoked rental ledger
    # (51.2); the gas-safety ledger it asks for is the fire station's (73.6).
    result = r("帮忙填一下燃气安全排查台账", department="cj-housing")
    assert (result["verdict"], result["ground"], result["item"]) == ("not-listed", "other-department", "A-0040")
    # Its own item still decides when nothing elsewhere is clearly closer.
    own = r("群租整治排查台账", department="cj-housing")
    assert (own["verdict"], own["item"]) == ("refused", "A-0022")


def test_negative_list_binds_every_department(r):
    result = r("开个无犯罪记录证明", department="cj-civil")
    assert (result["verdict"], result["item"]) == ("refused", "A-0029")


def test_an_item_admitted_for_another_department_is_not_theirs(r):
    result = r("燃气安全隐患排查台账填报", department="cj-police")
    assert (result["verdict"], result["ground"], result["item"]) == ("not-listed", "other-department", "A-0040")
    assert service.explain(result) == (
        "not on the list for 陈家镇派出所: A-0040 燃气安全隐患排查台账填报 is admitted for 陈家镇消防救援站 only; "
        "陈家镇派出所 must apply")
    assert r("燃气安全隐患排查台账填报", department="cj-fire")["verdict"] == "admitted"


def test_a_close_match_with_another_verdict_is_pointed_out(listed, r):
    # a duplicate application rejected beside the admitted item it duplicated
    with store.writing(listed, actor="t") as s:
        service.apply_item(s, "燃气安全排查台账填报", "cj-fire", "assist")
        service.reject(s, "A-0052", "与A-0040重复")
    result = r("帮忙填一下燃气安全排查台账")
    assert (result["verdict"], result["item"]) == ("refused", "A-0052")
    assert result["also"]["id"] == "A-0040" and result["also"]["verdict"] == "admitted"
    assert "Note: it also resembles A-0040 燃气安全隐患排查台账填报 (admitted" in service.explain(result)
    # a far weaker match with another verdict is no reason for doubt
    assert r("社区治安巡逻排班表每月报送")["also"] is None


def test_request_of_filler_only_is_refused(r):
    from cgov.core.errors import Invalid

    with pytest.raises(Invalid, match="says nothing to match"):
        r("请社区尽快完成，谢谢！")
