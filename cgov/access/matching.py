"""Fuzzy matching of a department's request against the access list.

A community worker types what a department asked for, in whatever words the
department used ("帮忙填一下燃气安全排查台账"); the access list names the item
formally ("燃气安全隐患排查台账填报"). This module decides which list items the
request most likely is, with a score from 0 to 100.

Pure functions only: no database, no I/O, stdlib and rapidfuzz.

How a request and an item name are compared
-------------------------------------------
Chinese has no spaces, so rapidfuzz's token scorers (token_set_ratio and
friends) see each phrase as one token and are of no use as they are. Both
strings are normalised (see ``normalize``) and then compared with three
character-level measures, each covering a weakness of the others:

* ``fuzz.partial_ratio`` -- the best alignment of the shorter string inside
  the longer one. Catches an item name embedded in a longer request
  ("请于3月15日前完成退役军人信息采集") and a short request that is a piece of the
  item name ("垃圾分类宣传"). Blind to word order.
* character-bigram overlap -- a bag of adjacent character pairs, which is
  what Chinese words mostly are (燃气, 排查, 台账). It ignores order, so
  "防台防汛物资储备" still matches "防汛防台物资储备" and "台账填报：燃气隐患排查"
  matches "燃气安全隐患排查台账填报". It is taken in both directions: the share
  of the item's bigrams found in the request (the request mentions the item)
  and the share of the request's bigrams found in the item (the request is
  about nothing else); the larger counts 3/4, the smaller 1/4. A long
  request with one item inside it and a short request that names part of an
  item ("高龄津贴初审") both score well; a request that shares one common word
  (宣传, 登记, 证明) with an item does not.
* ``fuzz.ratio`` -- plain similarity of the whole strings. Small weight; it
  favours, among near-identical items, the one whose length is closest to
  the request (城乡居民医保参保登记 vs 城乡居民养老保险参保登记).

score = 0.50 * bigram + 0.35 * partial_ratio + 0.15 * ratio. The weights
were set by hand and checked against a grid of alternatives on the requests
in tests/access/test_matching.py (about 100, a fifth of them for things not
on the list); neighbouring weights do about as well, so nothing hangs on the
exact numbers.

What character matching cannot do: abbreviations and synonyms that share
almost no characters with the item (反诈 for 防范电信网络诈骗, 计生特扶, 电瓶车 for
电动自行车) rank the right item first but below MATCH_THRESHOLD. Callers
should show the closest items (threshold=0) when nothing matches; `cgov
access check` does, and names the closest in its verdict.

An off-list request that shares only a generic frame with a short item
(组织居民体检 vs 组织居民参加商业保险推介会) used to score above the threshold
(59.9): 组织 is a task verb like 开展 and is now filler (41.1).
"""

from __future__ import annotations

import re
import unicodedata
from functools import lru_cache
from typing import Iterable

from rapidfuzz import fuzz

__all__ = ["MATCH_THRESHOLD", "normalize", "score", "best_matches"]

#: Scores below this are not a match. On the test requests the highest
#: off-list score is about 42 and the lowest correct match about 56 (a long
#: request with a second clause: 协助区里招商引资，每个社区引进一家企业); 50 sits
#: in the middle of that gap.
MATCH_THRESHOLD = 50.0

# Filler removed before matching.
#
# These are the words a department or a worker wraps around a request --
# politeness (帮忙, 麻烦, 请, 谢谢), urgency and dates (尽快, 本周, 今天),
# "you / the community" (你们, 社区, 居委), and the bureaucratic verbs that
# precede any task at all (协助, 配合, 开展, 做好, 进行, 负责, 需要) and the
# generic nouns that follow one (工作, 事项, 相关, 情况), and "in our area"
# (辖区内). None of them tells one access-list item from another, but each
# pulls the character measures towards any item or request that happens to
# contain it: "统计辖区内奶茶店数量" looked half like "统计辖区内重点企业用工情况"
# until 辖区内 went.
#
# The list is kept short on purpose: a word that tells items apart (登记,
# 宣传, 申请, 证明, 统计…) must never be here, since dropping it can only
# make different items look alike. The same normalisation runs on item
# names, so an item that contains a filler word (人口普查入户登记协助) loses it
# on both sides and still matches.
#
# Single characters that are also parts of real words carry look-arounds:
# 请 but not 申请/邀请/聘请/提请, 负责 but not 负责人.
_FILLER_PATTERNS = (
    # politeness and address
    "帮忙", "帮个忙", "帮一下", "麻烦", "劳驾", "谢谢", "辛苦了", "辛苦",
    r"(?<![申邀聘提])请", "你们", "我们", "咱们", "社区", "居委会", "居委",
    # "in our area": every task a community gets is within its area
    "本辖区", "辖区内", "辖区",
    # "a bit", "some", the particle 的 (sentence-final 吧/呢/啊 are left
    # alone: 吧 is also 网吧, 哈 is 哈尔滨)
    "一下", "一些", "的",
    # urgency and time
    "尽快", "抓紧", "务必", "马上", "立即", "今天", "明天", "本周内", "本周",
    "本月内", "本月", "月底前",
    # generic task verbs ("组织居民…" is the frame of many unrelated requests)
    "协助", "配合", "需要", "要求", r"负责(?!人)", "开展", "做好", "进行",
    "完成", "落实", "组织",
    # generic nouns
    "相关", "工作", "事项", "情况", "有关",
)
# Longest first, so 本周内 is removed before 本周 can leave 内 behind.
_FILLER_RE = re.compile(
    "|".join(sorted(_FILLER_PATTERNS, key=lambda p: -len(re.sub(r"\(.*?\)", "", p))))
)


def _is_kept(ch: str) -> bool:
    """Letters (CJK included) and digits survive; punctuation, symbols,
    spaces and control characters do not."""
    return unicodedata.category(ch)[0] in "LN"


@lru_cache(maxsize=8192)
def normalize(text: str) -> str:
    """Reduce text to the characters that matter for matching.

    NFKC (full-width Latin, digits and punctuation become half-width), Latin
    lower-cased, punctuation/symbols/whitespace removed, filler words removed.
    """
    text = unicodedata.normalize("NFKC", text).lower()
    text = "".join(ch for ch in text if _is_kept(ch))
    return _FILLER_RE.sub("", text)


@lru_cache(maxsize=8192)
def _bigrams(norm: str) -> frozenset[str]:
    if len(norm) < 2:
        return frozenset((norm,)) if norm else frozenset()
    return frozenset(norm[i:i + 2] for i in range(len(norm) - 1))


def _score_normalized(req: str, item: str) -> float:
    if not req or not item:
        return 0.0
    rb, ib = _bigrams(req), _bigrams(item)
    common = len(rb & ib)
    item_cover = common / len(ib)  # how much of the item the request names
    req_cover = common / len(rb)  # how much of the request is about the item
    bigram = 100.0 * (0.75 * max(item_cover, req_cover) + 0.25 * min(item_cover, req_cover))
    partial = fuzz.partial_ratio(req, item)
    whole = fuzz.ratio(req, item)
    return 0.5 * bigram + 0.35 * partial + 0.15 * whole


def score(request: str, item_name: str) -> float:
    """Similarity of a request to an access-list item name, 0..100."""
    return _score_normalized(normalize(request), normalize(item_name))


def best_matches(
    request: str,
    candidates: Iterable[tuple[str, str]],
    limit: int = 5,
    threshold: float = MATCH_THRESHOLD,
) -> list[tuple[str, float]]:
    """The candidates most like ``request``, best first.

    ``candidates`` are ``(item_id, item_name)`` pairs. Returns at most
    ``limit`` ``(item_id, score)`` pairs with score (rounded to one decimal)
    >= ``threshold``, sorted by score descending, then id.
    """
    req = normalize(request)
    if not req or limit <= 0:
        return []
    scored = []
    for item_id, name in candidates:
        s = round(_score_normalized(req, normalize(name)), 1)
        if s >= threshold:
            scored.append((item_id, s))
    scored.sort(key=lambda pair: (-pair[1], pair[0]))
    return scored[:limit]
