"""The clocks of a case by name, with their labels and legal references (pure: no Django).

This is the clock part of the case vocabulary (:mod:`xinfang.cases.vocabulary` re-exports it).
It lives here, not in the cases app, because the deadline rows and rules name clocks too and
``xinfang.deadlines`` must not import ``xinfang.cases`` (the arrows point from cases to deadlines).

Each clock has two renderings: ``short`` for the rule tables and the warning lists (期限预警,
the admin), ``long`` with the article for the case page. Adding a clock: a member here, its three
entries in ``CLOCK_TERMS``, and a rule for it in every profile of ``data/profiles.json``.
"""

from __future__ import annotations

from enum import StrEnum
from typing import NamedTuple


class ClockTerm(NamedTuple):
    short: str
    long: str
    legal_ref: str  # the article of the 《信访工作条例》 the period comes from


class Clock(StrEnum):
    """The clocks of a case, in the order the case lifecycle meets them."""

    ROUTE = "route"  # 信访部门 转送/交办
    ACCEPT = "accept"  # 责任单位 decides acceptance and notifies
    OBJECT = "object"  # 责任单位 may object to a wrongly routed matter
    HANDLE = "handle"  # 办理 and 意见书
    REVIEW_REQUEST = "review_request"  # petitioner may ask for 复查
    REVIEW_DECIDE = "review_decide"  # 复查 organ decides
    REREVIEW_REQUEST = "rereview_request"  # petitioner may ask for 复核
    REREVIEW_DECIDE = "rereview_decide"  # 复核 organ decides
    RATING = "rating"  # petitioner may rate the handling (window length is configurable)

    @property
    def short_label(self) -> str:
        return CLOCK_TERMS[self].short

    @property
    def long_label(self) -> str:
        return CLOCK_TERMS[self].long

    @property
    def legal_ref(self) -> str:
        return CLOCK_TERMS[self].legal_ref


CLOCK_TERMS: dict[Clock, ClockTerm] = {
    Clock.ROUTE: ClockTerm("交转送（登记后）", "交转办期限（第二十二条）", "第二十二条"),
    Clock.ACCEPT: ClockTerm("受理告知", "受理告知期限（第二十三条）", "第二十三条"),
    Clock.OBJECT: ClockTerm("异议（交办错误）", "异议期限（第二十三条）", "第二十三条"),
    Clock.HANDLE: ClockTerm("办理答复", "办理答复期限（第三十四条）", "第三十四条"),
    Clock.REVIEW_REQUEST: ClockTerm("申请复查期", "复查申请期限（第三十五条）", "第三十五条"),
    Clock.REVIEW_DECIDE: ClockTerm("复查办理", "复查办理期限（第三十五条）", "第三十五条"),
    Clock.REREVIEW_REQUEST: ClockTerm("申请复核期", "复核申请期限（第三十六条）", "第三十六条"),
    Clock.REREVIEW_DECIDE: ClockTerm("复核办理", "复核办理期限（第三十六条）", "第三十六条"),
    Clock.RATING: ClockTerm("满意度评价期", "满意度评价期限", "第二十一条"),
}

CLOCK_NAMES: tuple[str, ...] = tuple(clock.value for clock in Clock)  # plain strings, as stored
CLOCK_SHORT_LABELS: dict[str, str] = {clock.value: term.short for clock, term in CLOCK_TERMS.items()}
CLOCK_LONG_LABELS: dict[str, str] = {clock.value: term.long for clock, term in CLOCK_TERMS.items()}
