"""Text intelligence at intake: duplicate / repeat suggestions and a category suggestion.

Duplicate check (``find_similar``): every registered case has its 32 LSH band keys in
``CaseTextSignature`` (written by ``index_new_case`` in the registration's transaction, or by the
``textintel_index_cases`` backfill). The candidates for a new text are the cases that share any band
key with it (``near_dup``: a pair with Jaccard 0.5 shares one with probability 0.98) or any keyed hash
of a petitioner (ID number, phone, name + address) — both are index lookups, never a scan. They are
then restricted to ``cases_visible_to(user)``, the one access policy, so a suggestion never names a
case the clerk may not see; at most ``MAX_CANDIDATES`` are scored with MinHash (``near_dup.estimate``):
the cases sharing a band key first, then the petitioner's other cases, each newest first (a petitioner
with hundreds of cases must not push the earlier case of the same matter out), and turned into
"重复信访 of X" / "同一事项（主件 X）" by ``repeats.suggest``. The short list ranks the same person's
matters (重复信访) and matters registered in the last ``RECENT_DAYS`` first, both together first of all,
then by similarity and newest: an identical case of two weeks ago is never pushed out by older copies.
``bench/intake/run.py`` measures it over 200,000 cases.

Petitioners are compared through the keyed hashes stored on ``Petitioner`` (``pii.keyed_hash``):
nothing here decrypts personal data, and suggestions carry no personal data, only which identifier
agreed.

Category suggestion (``suggest_category``): the level-1 classifier in
``settings.XINFANG_TEXTINTEL_MODEL_DIR`` (default ``BASE_DIR/var/models/classifier``; trained with
``textintel_train``); nothing is suggested when no model is there.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt
from django.conf import settings
from django.db import connection, transaction
from django.db.models import Case as SqlCase
from django.db.models import Q, Value, When

from xinfang.cases import pii
from xinfang.cases.hooks import Table
from xinfang.cases.models import Case, Petitioner
from xinfang.cases.selectors import cases_visible_to
from xinfang.core.timeutil import now
from xinfang.orgs.models import User
from xinfang.textintel import near_dup
from xinfang.textintel.features import ngram_hashes
from xinfang.textintel.models import CaseTextSignature
from xinfang.textintel.normalize import compact
from xinfang.textintel.repeats import REPEAT, EarlierCase, PetitionerKeys, suggest

logger = logging.getLogger(__name__)

MAX_CANDIDATES = 200  # newest candidates scored; more would only be older copies of the same matter
RECENT_DAYS = 90  # a matter registered this recently is ranked first in 查重 (still being handled)
MAX_LOOKUP = 5000  # rows read per index lookup (a boilerplate text or a prolific petitioner: newest first)
BAND_LOOKUP = 500  # cases read per band key, newest first (32 keys: at most 16,000 index entries)
_SIGN = np.uint64(1 << 63)


def case_text(subject: str, content: str) -> str:
    return f"{subject}\n{content}"


def band_hashes(text: str) -> list[int]:
    """The text's ``BANDS`` LSH keys as signed 64-bit integers (empty for a text without words)."""
    shingles = near_dup.shingle_hashes(text)
    return _band_hashes_of(shingles, near_dup.minhash(shingles))


def _band_hashes_of(shingles: npt.NDArray[np.uint64], sig: npt.NDArray[np.uint32]) -> list[int]:
    if len(shingles) == 0:
        return []
    return [int(k) for k in near_dup._band_keys(sig).view(np.int64)]


def _shingle_sets(texts: Sequence[str]) -> list[npt.NDArray[np.uint64]]:
    """``near_dup.shingle_hashes`` of every text (the same arrays), hashed in one pass: for 200
    candidates about a third less time than one call per text."""
    bare = [near_dup._NOT_WORD.sub("", compact(t)) for t in texts]
    out = [
        near_dup.shingle_hashes(t) if len(b) < near_dup.SHINGLE else None
        for t, b in zip(texts, bare, strict=True)
    ]
    whole = [i for i, b in enumerate(bare) if len(b) >= near_dup.SHINGLE]
    if whole:
        hashes, docs = ngram_hashes([bare[i] for i in whole], (near_dup.SHINGLE, near_dup.SHINGLE))
        order = np.lexsort((hashes, docs))  # by text, then hash: each text's slice is np.unique's
        hashes, docs = hashes[order], docs[order]
        first = np.ones(len(hashes), dtype=bool)
        first[1:] = (hashes[1:] != hashes[:-1]) | (docs[1:] != docs[:-1])
        hashes, docs = hashes[first], docs[first]
        bounds = np.searchsorted(docs, np.arange(len(whole) + 1))
        for k, i in enumerate(whole):
            out[i] = hashes[bounds[k] : bounds[k + 1]]
    return [o if o is not None else np.zeros(0, dtype=np.uint64) for o in out]


def index_case(case: Case) -> int:
    """(Re)write the case's band keys; returns how many rows were written."""
    hashes = band_hashes(case_text(case.subject, case.content))
    with transaction.atomic():
        CaseTextSignature.objects.filter(case=case).delete()
        CaseTextSignature.objects.bulk_create(
            CaseTextSignature(case=case, band=band, hash=h) for band, h in enumerate(hashes)
        )
    return len(hashes)


def index_new_case(case: Case) -> None:
    """Subscribed to ``on_case_registered`` (runs in the registering transaction): the band keys, one INSERT.

    Written with the case, so 查重 finds it as soon as it is committed and nothing can be lost
    between the commit and a later step. Text the hashing cannot handle must not refuse a
    registration: it is logged, and ``textintel_index_cases`` indexes the case later.
    """
    try:
        hashes = band_hashes(case_text(case.subject, case.content))
    except Exception:  # pragma: no cover - logged, the backfill command repairs it
        logger.exception("textintel: could not index case %s", case.pk)
        return
    CaseTextSignature.objects.bulk_create(
        CaseTextSignature(case=case, band=band, hash=h) for band, h in enumerate(hashes)
    )


def signature_rows(cases: list[Case]) -> list[Table]:
    """Subscribed to ``on_cases_laid_out`` (history entered in bulk): the rows `index_new_case`
    writes, for many cases, which the history service inserts with theirs.

    Some thirty rows a case, as plain rows (one prepared INSERT over all of them: model instances
    would cost more than the hashing itself). The texts' shingles are hashed in one pass
    (`_shingle_sets`: the same keys as `band_hashes` of each, in less time). Laid out with the
    cases, so an import hashes its next batches in the process that lays them out."""
    rows: list[tuple[int, int, int]] = []
    for case, hashes in zip(cases, _entered_band_hashes(cases), strict=True):
        rows += [(case.pk, band, h) for band, h in enumerate(hashes)]
    return [(CaseTextSignature, ("case", "band", "hash"), rows)] if rows else []


def _entered_band_hashes(cases: list[Case]) -> list[list[int]]:
    """`band_hashes` of each case's text, hashed in one pass; should the pass fail, case by case,
    so that only a text the hashing cannot handle goes unindexed (logged; the backfill command
    indexes it later)."""
    texts = [case_text(case.subject, case.content) for case in cases]
    try:
        return [_band_hashes_of(s, near_dup.minhash(s)) for s in _shingle_sets(texts)]
    except Exception:  # pragma: no cover - logged, then each text on its own
        logger.exception("textintel: could not index %d entered cases in one pass", len(cases))
    result: list[list[int]] = []
    for case, text in zip(cases, texts, strict=True):
        try:
            result.append(band_hashes(text))
        except Exception:  # pragma: no cover - logged, the backfill command repairs it
            logger.exception("textintel: could not index case %s", case.pk)
            result.append([])
    return result


@dataclass(frozen=True)
class PersonIn:
    """A petitioner as typed at intake (plain values, hashed here and never stored or returned)."""

    name: str = ""
    id_number: str = ""
    phone: str = ""
    address: str = ""


@dataclass(frozen=True)
class Suggestion:
    kind: str  # 重复信访 or 同一事项
    case_id: int
    number: str
    subject: str
    similarity: float
    evidence: tuple[str, ...]

    @property
    def is_repeat(self) -> bool:
        return self.kind == REPEAT

    def describe(self) -> str:
        what = f"{self.kind}：{'' if self.is_repeat else '主件 '}{self.number}"
        return f"{what}（{'；'.join(self.evidence)}）" if self.evidence else what

    def as_dict(self) -> dict[str, Any]:
        return {
            "kind": self.kind,
            "case_id": self.case_id,
            "number": self.number,
            "subject": self.subject,
            "similarity": self.similarity,
            "evidence": list(self.evidence),
            "text": self.describe(),
        }


def _keys_of(name_hash: str, id_hash: str, phone_hash: str, address: str) -> PetitionerKeys:
    # name_hash is the keyed hash of "name|address": with an address it identifies name + address,
    # without one it is the name alone (noted, but not enough to call it the same person).
    return PetitionerKeys(
        id_number=id_hash or None,
        phone=phone_hash or None,
        name_address=name_hash if name_hash and address.strip() else None,
        name=name_hash if name_hash and not address.strip() else None,
    )


def _new_keys(person: PersonIn) -> PetitionerKeys:
    return _keys_of(
        pii.keyed_hash(person.name.strip() + "|" + person.address.strip()) if person.name.strip() else "",
        pii.keyed_hash(person.id_number.strip()),
        pii.keyed_hash(person.phone.strip()),
        person.address,
    )


def _text_candidates(hashes: Sequence[int]) -> set[int]:
    """The cases sharing a band key with the text: the newest `BAND_LOOKUP` of each key.

    One bounded index range per key, read backwards on (band, hash, case): a key that thousands of
    earlier copies share (a letter campaign, a form text) costs as much as a rare one. An OR of the
    32 keys would read every copy of each and sort them (a second at 25,000 copies; bench/growth)."""
    if not hashes:
        return set()
    parts = [
        CaseTextSignature.objects.filter(band=band, hash=h)
        .order_by("-case_id")
        .values_list("case_id", flat=True)[:BAND_LOOKUP]
        for band, h in enumerate(hashes)
    ]
    if connection.features.supports_slicing_ordering_in_compound:
        return set(parts[0].union(*parts[1:], all=True))
    return {case_id for part in parts for case_id in part}  # SQLite: the same lookups one by one


def _person_candidates(keys: Iterable[PetitionerKeys]) -> set[int]:
    where = Q()
    for k in keys:
        if k.id_number:
            where |= Q(id_number_hash=k.id_number)
        if k.phone:
            where |= Q(phone_hash=k.phone)
        if k.name_address:
            where |= Q(name_hash=k.name_address)
    if not where:
        return set()
    rows = Petitioner.objects.filter(where).order_by("-case_id").values_list("case_id", flat=True)
    return set(rows[:MAX_LOOKUP])


def find_similar(
    user: User,
    subject: str,
    content: str,
    petitioners: Sequence[PersonIn] = (),
    region_code: str | None = None,
    *,
    exclude: int | None = None,
    limit: int = 5,
) -> list[Suggestion]:
    """Earlier cases visible to ``user`` that this text repeats or joins (see the module docstring)."""
    shingles = near_dup.shingle_hashes(case_text(subject, content))
    sig = near_dup.minhash(shingles)
    new_keys = [_new_keys(p) for p in petitioners if p.name or p.id_number or p.phone]
    by_text = _text_candidates(_band_hashes_of(shingles, sig))
    ids = by_text | _person_candidates(new_keys)
    if exclude is not None:
        ids.discard(exclude)
    if not ids:
        return []
    visible = cases_visible_to(user)
    # At most MAX_CANDIDATES are scored: the cases sharing a band key first, then the petitioner's other
    # cases, each newest first; then scored newest first as always (ties in ``suggest`` go to the newer).
    order: list[Any] = ["-registered_at", "-id"]
    if by_text:
        order.insert(0, SqlCase(When(pk__in=by_text, then=Value(0)), default=Value(1)))
    cases = list(
        visible.filter(pk__in=ids)
        .order_by(*order)
        .only(
            "id", "number", "subject", "content", "registered_at", "duplicate_of_id", "problem_region__code"
        )
        .select_related("problem_region")[:MAX_CANDIDATES]
    )
    if not cases:
        return []
    cases.sort(key=lambda c: (c.registered_at, c.pk), reverse=True)
    masters = {c.duplicate_of_id for c in cases if c.duplicate_of_id}
    visible_masters = set(visible.filter(pk__in=masters).values_list("pk", flat=True)) if masters else set()
    people: dict[int, list[PetitionerKeys]] = {}
    for pet in Petitioner.objects.filter(case_id__in=[c.pk for c in cases]).only(
        "case_id", "name_hash", "id_number_hash", "phone_hash", "address"
    ):
        people.setdefault(pet.case_id, []).append(
            _keys_of(pet.name_hash, pet.id_number_hash, pet.phone_hash, pet.address)
        )
    earlier: list[EarlierCase] = []
    for case, other in zip(
        cases, _shingle_sets([case_text(c.subject, c.content) for c in cases]), strict=True
    ):
        ev = near_dup.estimate(sig, len(shingles), near_dup.minhash(other), len(other))
        similarity = round(near_dup.similarity_of(ev), 4)
        master = str(case.duplicate_of_id) if case.duplicate_of_id in visible_masters else None
        for keys in people.get(case.pk) or [PetitionerKeys()]:
            earlier.append(EarlierCase(str(case.pk), keys, similarity, master))
    found = suggest(new_keys, earlier)  # the sets of petitioners: one suggestion per earlier case
    by_id = {c.pk: c for c in cases}
    missing = {int(s.case_id) for s in found} - by_id.keys()
    by_id.update(
        {c.pk: c for c in visible.filter(pk__in=missing).only("id", "number", "subject", "registered_at")}
    )
    out: list[tuple[Suggestion, dt.datetime]] = []
    for s in found:
        case = by_id[int(s.case_id)]
        evidence = tuple(_numbered(e, by_id) for e in s.evidence)
        if region_code and getattr(case, "problem_region", None) and case.problem_region.code == region_code:
            evidence = (*evidence, "问题属地一致")
        suggestion = Suggestion(s.kind, case.pk, case.number, case.subject, s.similarity, evidence)
        out.append((suggestion, case.registered_at))
    recent_since = now() - dt.timedelta(days=RECENT_DAYS)

    def rank(item: tuple[Suggestion, dt.datetime]) -> tuple[int, float, float, int]:
        # A recent matter and the same person's matter first (both: first of all), then by
        # similarity, then newest: an identical case of two weeks ago comes before old repeats.
        suggestion, registered_at = item
        weight = int(suggestion.is_repeat) + int(registered_at >= recent_since)
        return (-weight, -suggestion.similarity, -registered_at.timestamp(), suggestion.case_id)

    out.sort(key=rank)
    return [suggestion for suggestion, _ in out[:limit]]


def _numbered(evidence: str, by_id: dict[int, Case]) -> str:
    """The core names cases by id ("经案件 12"); a clerk knows them by their number."""
    if evidence.startswith("经案件 "):
        pk = evidence.removeprefix("经案件 ")
        if pk.isdigit() and int(pk) in by_id:
            return f"经案件 {by_id[int(pk)].number}"
    return evidence


# ---------------------------------------------------------------- category suggestion


@dataclass(frozen=True)
class CategorySuggestion:
    label: str | None  # None: the model is not sure, a person decides (需人工判断)
    best_guess: str
    confidence: float

    def describe(self) -> str:
        if self.label is None:
            return f"需人工判断（最可能：{self.best_guess}，置信度 {self.confidence:.2f}）"
        return f"建议分类：{self.label}（置信度 {self.confidence:.2f}）"

    def as_payload(self) -> dict[str, Any]:
        return {"suggested_category": self.label, "confidence": round(self.confidence, 4)}


def model_dir() -> Path:
    default = Path(settings.BASE_DIR) / "var" / "models" / "classifier"
    return Path(getattr(settings, "XINFANG_TEXTINTEL_MODEL_DIR", default))


@lru_cache(maxsize=2)
def _load(directory: str, stamp: float) -> Any:
    from xinfang.textintel.classify import ContentClassifier

    return ContentClassifier.load(directory)


def suggest_category(subject: str, content: str) -> CategorySuggestion | None:
    """The classifier's suggestion, or None when no trained model is installed."""
    from xinfang.textintel.classify import META_FILE

    directory = model_dir()
    meta = directory / META_FILE
    if not meta.is_file():
        return None
    try:
        model = _load(str(directory), meta.stat().st_mtime)
        prediction = model.predict_one(case_text(subject, content))
    except Exception:  # pragma: no cover - a broken model must not break intake
        logger.exception("textintel: cannot use the model in %s", directory)
        return None
    return CategorySuggestion(prediction.label, prediction.best_guess, float(prediction.confidence))
