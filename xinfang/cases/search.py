"""Conditions for finding cases: by a person's identifiers (keyed hashes), by 查询码, by text.

Only conditions on cases; the access policy is applied by `selectors.cases_filtered`, which is the
only caller. A person is found through the keyed hashes stored on each petitioner row
(`pii.keyed_hash`, `pii.name_key`): nothing is decrypted to search.

Text is searched per database (the indexes are made by migration 0007_person_search):

- PostgreSQL: `ILIKE '%term%'` on subject and content, served by pg_trgm GIN indexes for terms of
  three or more characters (pg_trgm counts CJK characters as word characters under a UTF-8 ctype);
- SQLite: the FTS5 table `cases_case_fts` (trigram tokenizer) for terms of three or more
  characters, asked differently for rare and common terms (`_fts_term`); a shorter term (二字词
  such as 拆迁) is a LIKE over the visible cases.

Terms are separated by whitespace and all must occur (in the subject or the content).
"""

from __future__ import annotations

import re
import unicodedata
from dataclasses import dataclass

from django.db import connection
from django.db.models import F, Lookup, Q

from xinfang.cases import pii
from xinfang.cases.models import Petitioner

ID_NUMBER = re.compile(r"[0-9]{17}[0-9X]")
# The 查询码 alphabet of services.registration (no 0/O, 1/I), ten characters.
QUERY_CODE = re.compile(r"[2-9A-HJ-NP-Z]{10}")
CASE_NUMBER = re.compile(r"[0-9]{22}")
MAX_TERMS = 5
TRIGRAM = 3  # the shortest term the trigram indexes serve


@dataclass(frozen=True)
class Query:
    """What the one search box was given: `kind` is id_number, phone, query_code, number or text."""

    kind: str
    value: str

    @property
    def label(self) -> str:
        return QUERY_KIND_LABELS[self.kind]


QUERY_KIND_LABELS = {
    "id_number": "身份证号码",
    "phone": "联系电话",
    "query_code": "查询码",
    "number": "信访件编号",
    "text": "姓名或标题、内容",
}


def classify(text: str) -> Query | None:
    """The kind of what was typed in the search box (an 18-character ID number, an 11-digit
    mobile number, a 查询码, a case number), else a name or words of the text."""
    bare = pii.normalise(text)
    if not bare:
        return None
    for kind, pattern in (
        ("id_number", ID_NUMBER),
        ("phone", pii.MOBILE),
        ("query_code", QUERY_CODE),
        ("number", CASE_NUMBER),
    ):
        if pattern.fullmatch(bare):
            return Query(kind, bare)
    return Query("text", unicodedata.normalize("NFKC", text).strip())


def by_id_number(value: str) -> Q:
    return _person(Q(id_number_hash=pii.keyed_hash(value)))


def by_phone(value: str) -> Q:
    return _person(Q(phone_hash=pii.keyed_hash(value)))


def by_name(value: str) -> Q:
    key = pii.name_key(value)
    return _person(Q(name_key=key)) if key else Q(pk__in=[])


MAX_PERSON_CASES = 5000  # a person's newest cases read per search (a prolific petitioner)


def _person(condition: Q) -> Q:
    """The cases naming the person, as a list of ids read first by the hash's index.

    A list, not a subquery: PostgreSQL then combines it with the text indexes (a name or words are
    one condition, `id = ANY(...) OR subject ILIKE ...`) in one bitmap scan, instead of walking the
    list's order and testing every visible case (measured: 0.6-0.9 s over 200,000 cases)."""
    ids = Petitioner.objects.filter(condition).order_by("-case_id").values_list("case_id", flat=True)
    return Q(pk__in=list(ids[:MAX_PERSON_CASES]))


def by_query(query: Query) -> Q:
    """The condition for what the search box recognised."""
    if query.kind == "id_number":
        return by_id_number(query.value)
    if query.kind == "phone":
        return by_phone(query.value)
    if query.kind == "query_code":
        return Q(query_code=query.value)
    if query.kind == "number":
        return Q(number=query.value)
    found = by_name(query.value) | by_text(query.value)
    if query.value.isascii() and query.value.isdigit():
        # Part of a case number (the serial at its end): only digits, so other searches stay on
        # their indexes instead of a scan of every number.
        found |= Q(number__contains=query.value)
    return found


class _ILike(Lookup):
    """`ILIKE` without Django's `UPPER(...)` or `::text` around the column, so that PostgreSQL's
    trigram index on the plain column serves it."""

    lookup_name = "ilike"

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        return f"{lhs} ILIKE {rhs}", [*lhs_params, *rhs_params]


def _like_pattern(term: str) -> str:
    escaped = term.replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
    return f"%{escaped}%"


def terms(text: str) -> list[str]:
    return [t for t in unicodedata.normalize("NFKC", text or "").split() if t][:MAX_TERMS]


def by_text(text: str) -> Q:
    """Cases whose subject or content contains every term of `text`."""
    words = terms(text)
    if not words:
        return Q(pk__in=[])
    condition = Q()
    for term in words:
        condition &= _term(term)
    return condition


def _term(term: str) -> Q:
    if connection.vendor == "postgresql":
        pattern = _like_pattern(term)
        return Q(_ILike(F("subject"), pattern)) | Q(_ILike(F("content"), pattern))
    if connection.vendor == "sqlite" and len(term) >= TRIGRAM:
        return _fts_term('"' + term.replace('"', '""') + '"')
    return Q(subject__icontains=term) | Q(content__icontains=term)


# A term found in more cases than this is common: its cases are not listed out (see `_fts_term`).
COMMON_TERM = 1000


def _fts_term(phrase: str) -> Q:
    """The cases whose FTS5 row matches `phrase`, asked the way that suits how many there are. A
    rare term's rowids (a bounded probe finds them) become a list, which the list's other
    conditions then narrow. A common one (墙体开裂 in a housing bureau's archive) would make SQLite
    collect every matching rowid before ordering a page; instead each case the list reads in its
    order is checked against the index (`_FtsRow`), so a page stops after a few dozen checks."""
    with connection.cursor() as cursor:
        cursor.execute(
            "SELECT rowid FROM cases_case_fts WHERE cases_case_fts MATCH %s LIMIT %s",
            [phrase, COMMON_TERM + 1],
        )
        rowids = [row[0] for row in cursor.fetchall()]
    if len(rowids) <= COMMON_TERM:
        return Q(pk__in=rowids)
    return Q(_FtsRow(F("pk"), phrase))


class _FtsRow(Lookup):
    """The case's own row of the FTS5 table matches the phrase (a rowid seek in the index)."""

    lookup_name = "fts_row"

    def as_sql(self, compiler, connection):  # type: ignore[no-untyped-def]
        lhs, lhs_params = self.process_lhs(compiler, connection)
        rhs, rhs_params = self.process_rhs(compiler, connection)
        sql = f"EXISTS (SELECT 1 FROM cases_case_fts WHERE cases_case_fts MATCH {rhs} AND cases_case_fts.rowid = {lhs})"
        return sql, [*rhs_params, *lhs_params]
