"""Same petitioner, same matter: turn duplicate-index hits into "重复信访 of X" / "same matter as master X".

Petitioners are compared by *keyed hashes* only (HMAC-SHA256 with the bureau's secret, see
``petitioner_keys``): the text-intelligence core never sees an ID number or a phone number, and a leaked
key table cannot be reversed by hashing all phone numbers without the secret. Before hashing, values
are normalised: ID numbers upper-cased without spaces (a trailing ``x`` is ``X``), phone numbers reduced
to their digits without a leading ``86``/``0086``, names and addresses ``compact``-ed (traditional ->
simplified, full-width -> half-width, no whitespace).

Same person (``match_petitioner``), strongest evidence first:

1. both have an ID number: equal -> same person ("身份证号一致"); different -> *not* the same person,
   whatever else agrees (two family members share a phone and an address);
2. equal phone -> same person ("联系电话一致");
3. equal name + address -> same person ("姓名和住址一致");
4. equal name alone is noted ("仅姓名相同") but is not enough: common names repeat.

Suggestion (``suggest``) for a new case, over the earlier cases the duplicate index returned with their
text similarity (``near_dup``; ``SAME_MATTER_THRESHOLD`` 0.5 by default):

* same matter (similarity ≥ threshold) **and** same person -> ``重复信访`` of that case (the person
  raised this matter before: the earlier case's handling and reply apply);
* same matter, different people -> ``同一事项`` of the earlier case's *master* (the case it is attached
  to, else itself): many people, one matter (类案), handled together;
* same person, different matter -> not suggested (a person may raise several matters).

The new case's petitioners and each earlier case's petitioners are compared as sets: one of the new
petitioners who is one of the earlier ones is enough for a 重复信访; an earlier case is suggested once,
never as both. Suggestions come sorted: repeats first, then by similarity; one per master.
"""

from __future__ import annotations

import hashlib
import hmac
import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Literal

from .normalize import compact

__all__ = [
    "REPEAT",
    "SAME_MATTER",
    "EarlierCase",
    "PersonMatch",
    "PetitionerKeys",
    "RepeatSuggestion",
    "match_petitioner",
    "petitioner_keys",
    "suggest",
]

REPEAT: Literal["重复信访"] = "重复信访"
SAME_MATTER: Literal["同一事项"] = "同一事项"
DEFAULT_THRESHOLD = 0.5  # near_dup.SAME_MATTER_THRESHOLD (kept literal: this module imports no numpy)
_NON_DIGIT = re.compile(r"\D")


@dataclass(frozen=True)
class PetitionerKeys:
    """Keyed hashes (hex) of a petitioner's identifiers; ``None`` where the value was not given."""

    id_number: str | None = None
    phone: str | None = None
    name_address: str | None = None
    name: str | None = None


@dataclass(frozen=True)
class PersonMatch:
    same_person: bool
    evidence: tuple[str, ...]


@dataclass(frozen=True)
class EarlierCase:
    """A hit of the duplicate index: the earlier case, its petitioner keys and the text similarity."""

    case_id: str
    keys: PetitionerKeys
    similarity: float
    master_id: str | None = None  # the master case this one is attached to, if any


@dataclass(frozen=True)
class RepeatSuggestion:
    kind: Literal["重复信访", "同一事项"]
    case_id: str  # the earlier case (重复信访) or the master (同一事项)
    similarity: float
    evidence: tuple[str, ...] = field(default_factory=tuple)

    def describe(self) -> str:
        what = f"{self.kind}：案件 {self.case_id}"
        return f"{what}（{'；'.join(self.evidence)}）" if self.evidence else what


def _hmac(secret: bytes, kind: str, value: str) -> str:
    return hmac.new(secret, f"{kind}\x00{value}".encode(), hashlib.sha256).hexdigest()


def petitioner_keys(
    secret: bytes,
    id_number: str | None = None,
    phone: str | None = None,
    name: str | None = None,
    address: str | None = None,
) -> PetitionerKeys:
    """Keyed hashes of the normalised identifiers (see the module docstring); blanks give ``None``."""
    if not secret:
        raise ValueError("a non-empty secret is required for keyed hashes")
    idn = (id_number or "").replace(" ", "").upper()
    digits = _NON_DIGIT.sub("", phone or "")
    for prefix in ("0086", "86"):
        if digits.startswith(prefix) and len(digits) - len(prefix) >= 11:
            digits = digits[len(prefix) :]
            break
    nm, addr = compact(name), compact(address)
    return PetitionerKeys(
        id_number=_hmac(secret, "id", idn) if idn else None,
        phone=_hmac(secret, "phone", digits) if len(digits) >= 7 else None,
        name_address=_hmac(secret, "name+address", f"{nm}\x00{addr}") if nm and addr else None,
        name=_hmac(secret, "name", nm) if nm else None,
    )


def match_petitioner(earlier: PetitionerKeys, new: PetitionerKeys) -> PersonMatch:
    """Whether two petitioners are the same person, with the evidence (rules in the module docstring)."""
    if earlier.id_number and new.id_number:
        if earlier.id_number == new.id_number:
            return PersonMatch(True, ("身份证号一致",))
        return PersonMatch(False, ("身份证号不同",))
    evidence: list[str] = []
    if earlier.phone and earlier.phone == new.phone:
        evidence.append("联系电话一致")
    if earlier.name_address and earlier.name_address == new.name_address:
        evidence.append("姓名和住址一致")
    if evidence:
        return PersonMatch(True, tuple(evidence))
    if earlier.name and earlier.name == new.name:
        return PersonMatch(False, ("仅姓名相同，不足以认定同一人",))
    return PersonMatch(False, ())


def suggest(
    new: PetitionerKeys | Sequence[PetitionerKeys],
    earlier: Sequence[EarlierCase],
    threshold: float = DEFAULT_THRESHOLD,
) -> list[RepeatSuggestion]:
    """Suggestions for a new case from the duplicate index's hits (see the module docstring).

    ``new`` is the new case's petitioners (one, or the set); ``earlier`` may list a case once per
    petitioner of it. The two *sets* are compared, so each earlier case gives at most one suggestion:
    any petitioner of the new case who is one of the earlier case's makes it a 重复信访 (with that
    evidence, and how many of the new petitioners matched when not all did); otherwise it is the
    同一事项 of its master. A master that is itself suggested as a 重复信访 is not suggested again.
    """
    people = [new] if isinstance(new, PetitionerKeys) else list(new) or [PetitionerKeys()]
    cases: dict[str, list[EarlierCase]] = {}
    for hit in earlier:
        if hit.similarity >= threshold:
            cases.setdefault(hit.case_id, []).append(hit)
    repeats: list[RepeatSuggestion] = []
    same: dict[str, RepeatSuggestion] = {}
    for case_id, hits in cases.items():
        similarity = max(hit.similarity for hit in hits)
        text = f"内容相似度 {similarity:.2f}"
        matches = [[match_petitioner(hit.keys, person) for hit in hits] for person in people]
        matched = [next((m for m in row if m.same_person), None) for row in matches]
        found = [m for m in matched if m is not None]
        if found:
            evidence = list(dict.fromkeys(e for m in found for e in m.evidence))
            if len(found) < len(people):
                evidence.append(f"{len(found)}/{len(people)} 名信访人为同一人")
            repeats.append(RepeatSuggestion(REPEAT, case_id, similarity, (*evidence, text)))
            continue
        master = hits[0].master_id or case_id
        via = () if master == case_id else (f"经案件 {case_id}",)
        noted = next((m.evidence[0] for row in matches for m in row if m.evidence), "不同信访人")
        old = same.get(master)
        if old is None or similarity > old.similarity:
            same[master] = RepeatSuggestion(SAME_MATTER, master, similarity, (text, *via, noted))
    repeated = {s.case_id for s in repeats}
    repeats.sort(key=lambda s: (-s.similarity, s.case_id))
    others = sorted(
        (s for s in same.values() if s.case_id not in repeated), key=lambda s: (-s.similarity, s.case_id)
    )
    return repeats + others
