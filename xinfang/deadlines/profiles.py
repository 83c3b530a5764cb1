"""Policy profiles: the statutory periods as data (pure: no Django, no database).

A :class:`DeadlineRule` says how one clock of a case runs: which events start it, which meet it,
which make it moot, how long it is and in which unit, how far it may be extended, and the legal text
it comes from. A :class:`PolicyProfile` is a named set of rules, one per clock. Provinces differ
(see DOMAIN.md §2), so a provincial profile names the national one as its parent and overrides it
rule by rule; in the JSON file a child rule may give only the fields that differ.

The shipped profiles live in ``data/profiles.json``: the national one (《信访工作条例》(2022)
第二十二、二十三、三十四、三十五、三十六条), 浙江 (2016) and 河南 (2012). No period is written in code.

Rule kinds:

- ``duty``: an organ must act within the period; missing it makes the clock overdue (问责, 第四十五条);
- ``window``: someone *may* act within it (a petitioner's 复查/复核 request, a rating, a unit's
  objection); when it passes unused the clock has lapsed, and nobody is overdue.

A profile also names the clocks a hearing (听证) stops, ``hearing_clocks``: 第三十六条 excludes the
hearing's time from the 复核 period, and a province may exclude it from others. Like a rule it is
inherited from the parent unless the profile gives its own list; a root profile that gives none
stops the 复核 clock only (:data:`STATUTORY_HEARING_CLOCKS`), which is also what the profile rows of
the back office give, since they have no column for it.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field, fields, replace
from os import PathLike
from pathlib import Path
from types import MappingProxyType
from typing import Literal, NoReturn

from xinfang.deadlines.calendar import UNITS, Unit
from xinfang.deadlines.events import LIFECYCLE_EVENTS
from xinfang.deadlines.vocabulary import CLOCK_NAMES  # the clocks, in lifecycle order

RuleKind = Literal["duty", "window"]
RULE_KINDS: tuple[RuleKind, ...] = ("duty", "window")


NATIONAL = "national"
DEFAULT_PROFILES_PATH = Path(__file__).with_name("data") / "profiles.json"

_EVENT_FIELDS = ("start_events", "end_events", "cancel_events")

# 第三十六条: "听证所需时间不计算在前款规定的期限内" names the 复核 period (复核办理) and no other.
STATUTORY_HEARING_CLOCKS: tuple[str, ...] = ("rereview_decide",)


@dataclass(frozen=True, slots=True)
class DeadlineRule:
    """How one clock runs; validated on construction (each error names the field)."""

    clock: str
    start_events: tuple[str, ...]
    end_events: tuple[str, ...]
    length: int
    unit: Unit
    legal_ref: str
    kind: RuleKind = "duty"
    cancel_events: tuple[str, ...] = ()
    # total days (in ``unit``) all extensions together may add; None: the period cannot be extended
    extension_limit: int | None = None
    # how many separate extensions may be approved (第三十四条: once)
    max_extensions: int = 1
    note: str = ""

    def __post_init__(self) -> None:
        self._check_names()
        self._check_numbers()
        self._check_events()

    def _check_names(self) -> None:
        if self.clock not in CLOCK_NAMES:
            self._fail("clock", f"one of {list(CLOCK_NAMES)}", self.clock)
        if self.unit not in UNITS:
            self._fail("unit", f"one of {list(UNITS)}", self.unit)
        if self.kind not in RULE_KINDS:
            self._fail("kind", f"one of {list(RULE_KINDS)}", self.kind)
        if not isinstance(self.legal_ref, str) or not self.legal_ref.strip():
            self._fail(
                "legal_ref", "the non-empty legal reference, e.g. 《信访工作条例》第二十二条", self.legal_ref
            )
        if not isinstance(self.note, str):
            self._fail("note", "text", self.note)

    def _check_numbers(self) -> None:
        if not _is_count(self.length) or self.length == 0:
            self._fail("length", "a positive whole number of days", self.length)
        if self.extension_limit is not None and (
            not _is_count(self.extension_limit) or self.extension_limit == 0
        ):
            self._fail("extension_limit", "null or a positive whole number of days", self.extension_limit)
        if not _is_count(self.max_extensions):
            self._fail("max_extensions", "a whole number, 0 or more", self.max_extensions)

    def _check_events(self) -> None:
        for name in _EVENT_FIELDS:
            events = getattr(self, name)
            if not isinstance(events, tuple) or not all(isinstance(e, str) for e in events):
                self._fail(name, "a list of event kinds", events)
            unknown = [e for e in events if e not in LIFECYCLE_EVENTS]
            if unknown:
                self._fail(name, f"lifecycle event kinds from {sorted(LIFECYCLE_EVENTS)}", unknown)
        for name in ("start_events", "end_events"):
            if not getattr(self, name):
                self._fail(name, "a non-empty list of event kinds", [])
        starts, ends, cancels = (set(getattr(self, n)) for n in _EVENT_FIELDS)
        if starts & ends or starts & cancels or ends & cancels:
            self._fail("end_events", "disjoint from start_events and cancel_events", sorted(ends))

    def _fail(self, name: str, expected: str, got: object) -> NoReturn:
        raise ValueError(f"rule '{self.clock}': field '{name}' must be {expected}, got {got!r}")


@dataclass(frozen=True, slots=True)
class PolicyProfile:
    """A named set of rules; ``rules`` is already resolved against the parent profile."""

    code: str
    name: str
    parent: str | None
    rules: Mapping[str, DeadlineRule] = field(hash=False)
    # administrative-division code prefixes (GB/T 2260) the profile applies to, e.g. "33" for 浙江
    regions: tuple[str, ...] = ()
    # the clocks this profile sets itself rather than inheriting
    overrides: frozenset[str] = frozenset()
    # the clocks a hearing stops (听证所需时间不计算在内), already resolved against the parent
    hearing_clocks: tuple[str, ...] = STATUTORY_HEARING_CLOCKS

    def __post_init__(self) -> None:
        unknown = [c for c in self.hearing_clocks if c not in CLOCK_NAMES]
        if unknown:
            raise ValueError(
                f"profile '{self.code}': field 'hearing_clocks' has unknown clock(s) {unknown}; "
                f"known: {list(CLOCK_NAMES)}"
            )


def merge_rules(
    inherited: Mapping[str, DeadlineRule], own: Mapping[str, DeadlineRule]
) -> dict[str, DeadlineRule]:
    """A child profile's effective rules: its own rules replace the inherited ones clock by clock."""
    merged = {**inherited, **own}
    return {name: merged[name] for name in CLOCK_NAMES if name in merged}


def load_profiles(path: str | PathLike[str] = DEFAULT_PROFILES_PATH) -> dict[str, PolicyProfile]:
    """Read and validate a profiles JSON file; a ValueError names the file, profile, rule and field."""
    source = Path(path)
    try:
        data = json.loads(source.read_text(encoding="utf-8"))
    except json.JSONDecodeError as exc:
        raise ValueError(f"{source.name}: not valid JSON: {exc}") from exc
    return parse_profiles(data, source=source.name)


def parse_profiles(data: object, *, source: str = "profiles") -> dict[str, PolicyProfile]:
    """Validate already-decoded profile data (the structure of ``data/profiles.json``)."""
    if not isinstance(data, dict) or not isinstance(data.get("profiles"), list):
        raise ValueError(f"{source}: must be an object with a 'profiles' list")
    raw: dict[str, dict[str, object]] = {}
    for i, item in enumerate(data["profiles"]):
        code = _profile_code(item, where=f"{source}: profiles[{i}]")
        if code in raw:
            raise ValueError(f"{source}: profile code '{code}' appears twice")
        raw[code] = item
    resolved: dict[str, PolicyProfile] = {}
    for code in raw:
        _resolve(code, raw, resolved, source=source, chain=())
    return resolved


def profile_for_region(
    profiles: Mapping[str, PolicyProfile], region_code: str | None, *, default: str = NATIONAL
) -> PolicyProfile:
    """The profile whose region prefix matches ``region_code`` longest; else the ``default`` one."""
    best: tuple[int, PolicyProfile] | None = None
    for profile in profiles.values():
        for prefix in profile.regions:
            if region_code and region_code.startswith(prefix) and (best is None or len(prefix) > best[0]):
                best = (len(prefix), profile)
    if best is not None:
        return best[1]
    if default not in profiles:
        raise ValueError(
            f"no profile matches region {region_code!r} and default profile '{default}' is absent"
        )
    return profiles[default]


# -- resolution ------------------------------------------------------------------------------

_PROFILE_FIELDS = frozenset({"code", "name", "parent", "regions", "rules", "hearing_clocks"})
_RULE_FIELDS = frozenset(f.name for f in fields(DeadlineRule)) - {"clock"}
_REQUIRED_RULE_FIELDS = ("start_events", "end_events", "length", "unit", "legal_ref")


def _profile_code(item: object, *, where: str) -> str:
    if not isinstance(item, dict):
        raise ValueError(f"{where}: must be an object")
    code = item.get("code")
    if not isinstance(code, str) or not code.strip():
        raise ValueError(f"{where}: field 'code' must be a non-empty string, got {code!r}")
    return code


def _resolve(
    code: str,
    raw: Mapping[str, dict[str, object]],
    resolved: dict[str, PolicyProfile],
    *,
    source: str,
    chain: tuple[str, ...],
) -> PolicyProfile:
    if code in resolved:
        return resolved[code]
    where = f"{source}: profile '{code}'"
    if code in chain:
        raise ValueError(f"{where}: field 'parent' makes a cycle: {' -> '.join((*chain, code))}")
    item = raw[code]
    _reject_unknown(item, _PROFILE_FIELDS, where=where)
    parent = _parent_code(item, raw, where=where)
    above = _resolve(parent, raw, resolved, source=source, chain=(*chain, code)) if parent else None
    inherited = above.rules if above else {}
    own = _own_rules(item.get("rules"), inherited, where=where)
    rules = merge_rules(inherited, own)
    absent = [name for name in CLOCK_NAMES if name not in rules]
    if absent:
        raise ValueError(f"{where}: field 'rules' lacks clock(s) {absent} and no parent supplies them")
    profile = PolicyProfile(
        code=code,
        name=_text(item, "name", where=where),
        parent=parent,
        rules=MappingProxyType(rules),
        regions=_regions(item.get("regions", []), where=where),
        overrides=frozenset(own),
        hearing_clocks=_hearing_clocks(item, above, where=where),
    )
    resolved[code] = profile
    return profile


def _parent_code(item: Mapping[str, object], raw: Mapping[str, object], *, where: str) -> str | None:
    parent = item.get("parent")
    if parent is None:
        return None
    if not isinstance(parent, str) or parent not in raw:
        raise ValueError(f"{where}: field 'parent' must be null or a known profile code, got {parent!r}")
    return parent


def _own_rules(
    rules: object, inherited: Mapping[str, DeadlineRule], *, where: str
) -> dict[str, DeadlineRule]:
    if not isinstance(rules, dict):
        raise ValueError(f"{where}: field 'rules' must be an object keyed by clock name")
    own: dict[str, DeadlineRule] = {}
    for clock, spec in rules.items():
        if clock not in CLOCK_NAMES:
            raise ValueError(
                f"{where}: field 'rules' has unknown clock '{clock}'; known: {list(CLOCK_NAMES)}"
            )
        if not isinstance(spec, dict):
            raise ValueError(f"{where} rule '{clock}': must be an object of rule fields")
        own[clock] = _rule(clock, spec, inherited.get(clock), where=where)
    return own


def _rule(clock: str, spec: Mapping[str, object], base: DeadlineRule | None, *, where: str) -> DeadlineRule:
    """Build a rule from JSON fields; a child rule takes the fields it leaves out from ``base``."""
    rule_where = f"{where} rule '{clock}'"
    _reject_unknown(spec, _RULE_FIELDS, where=rule_where)
    values = {k: tuple(v) if k in _EVENT_FIELDS and isinstance(v, list) else v for k, v in spec.items()}
    missing = [f for f in _REQUIRED_RULE_FIELDS if f not in values]
    if base is None and missing:
        raise ValueError(f"{rule_where}: field(s) {missing} are required (no parent rule to inherit from)")
    try:
        if base is not None:
            return replace(base, **values)  # type: ignore[arg-type]
        return DeadlineRule(clock=clock, **values)  # type: ignore[arg-type]
    except ValueError as exc:  # DeadlineRule's own message names the rule and the field
        raise ValueError(f"{where}: {exc}") from None


def _reject_unknown(item: Mapping[str, object], known: Iterable[str], *, where: str) -> None:
    unknown = sorted(set(item) - set(known))
    if unknown:
        raise ValueError(f"{where}: unknown field(s) {unknown}; allowed: {sorted(known)}")


def _text(item: Mapping[str, object], name: str, *, where: str) -> str:
    value = item.get(name)
    if not isinstance(value, str) or not value.strip():
        raise ValueError(f"{where}: field '{name}' must be a non-empty string, got {value!r}")
    return value


def _regions(value: object, *, where: str) -> tuple[str, ...]:
    if not isinstance(value, list) or not all(isinstance(r, str) and r.isdigit() for r in value):
        raise ValueError(f"{where}: field 'regions' must be a list of division-code prefixes, got {value!r}")
    return tuple(value)


def _hearing_clocks(
    item: Mapping[str, object], above: PolicyProfile | None, *, where: str
) -> tuple[str, ...]:
    """The clocks a hearing stops: the profile's own list (clock names, each once; [] stops none),
    else the parent's, else the statute's. Kept in lifecycle order."""
    if "hearing_clocks" not in item:
        return above.hearing_clocks if above is not None else STATUTORY_HEARING_CLOCKS
    value = item["hearing_clocks"]
    if not isinstance(value, list) or not all(isinstance(c, str) for c in value):
        raise ValueError(f"{where}: field 'hearing_clocks' must be a list of clock names, got {value!r}")
    unknown = [c for c in value if c not in CLOCK_NAMES]
    if unknown:
        raise ValueError(
            f"{where}: field 'hearing_clocks' has unknown clock(s) {unknown}; known: {list(CLOCK_NAMES)}"
        )
    if len(set(value)) != len(value):
        raise ValueError(f"{where}: field 'hearing_clocks' names a clock twice: {value!r}")
    return tuple(name for name in CLOCK_NAMES if name in value)


def _is_count(value: object) -> bool:
    """A whole number >= 0 (JSON booleans are ints in Python, so they are refused explicitly)."""
    return isinstance(value, int) and not isinstance(value, bool) and value >= 0
