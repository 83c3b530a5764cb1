"""Many conditional counts from one grouped scan: the conditions split into their atoms.

A report counts about 150 conditions (`xinfang.statistics.conditions`) over the same fact rows.
Written as ``Count("pk", filter=condition)`` each, the database tests every condition on every
row, and the conditions share most of their parts (the territory, the period, the organs), so it
tests the same comparison dozens of times per row. Here each condition's `Q` tree is taken apart
into its leaves (one lookup or one conditional expression each: the *atoms*), the distinct atoms
are computed once per row as booleans, the rows are grouped by those booleans (a few hundred
groups), and each condition is evaluated on the groups, as the boolean formula its `Q` tree
spells over its atoms.

Why this gives the very counts of the filtered aggregates: an atom is ``CASE WHEN <leaf> THEN
true ELSE false END``, so a leaf that SQL leaves unknown (a comparison with NULL) is false, and
Django's negation of a lookup on a nullable column also counts the NULL rows (it adds ``IS NULL``
to ``NOT``), which is what ``not false`` gives. `test_atoms` checks the equality on hand-built
rows and on random ones, on both backends.

The conditions stay the one definition (the case lists filter with the same `Q` trees); this
module only changes how the database is asked.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
from django.db import connections
from django.db.models import (
    BigIntegerField,
    Count,
    Exists,
    ExpressionWrapper,
    F,
    Lookup,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models import Case as SqlCase

from xinfang.cases.fact_codes import compared_constants

__all__ = ["Atoms", "grouped_counts", "grouped_counts_by", "grouping_sets"]

WORD = 62  # atoms per packed integer column: bits of a signed 64-bit integer, the sign kept clear


def _key(leaf: Any) -> Any:
    """A hashable identity of a leaf, equal for equal lookups (so that shared parts are one atom)."""
    if isinstance(leaf, tuple):
        lookup, value = leaf
        return ("lookup", lookup, _frozen(value))
    if isinstance(leaf, Lookup):  # e.g. a lag between two dates: its text names it, cheaply
        return ("expression", repr(leaf))
    return ("object", id(leaf))  # a subquery: never its text (a queryset's repr runs it)


def _frozen(value: Any) -> Any:
    if isinstance(value, QuerySet):
        # A subquery: its SQL names it (never its rows: a queryset's repr would run it).
        sql, params = value.query.sql_with_params()
        return ("subquery", sql, tuple(map(str, params)))
    if isinstance(value, list | tuple | set | frozenset):
        return tuple(_frozen(v) for v in value)
    try:
        hash(value)
    except TypeError:
        return ("object", id(value))
    return value


Evaluate = Callable[[np.ndarray], np.ndarray]  # the atom matrix (groups × atoms) -> a boolean per group


class Formula:
    """A `Q` tree over atoms: its text (``(a0 & ~(a1))``) and its evaluation on the groups."""

    def __init__(self, text: str, evaluate: Evaluate) -> None:
        self.text, self.evaluate = text, evaluate

    def __str__(self) -> str:
        return self.text


def _all(parts: Sequence[Evaluate], connector: str) -> Evaluate:
    combine = np.logical_and if connector == Q.AND else np.logical_or

    def evaluate(matrix: np.ndarray) -> np.ndarray:
        result = parts[0](matrix)
        for part in parts[1:]:
            result = combine(result, part(matrix))
        return result

    return evaluate


@dataclass
class _Term:
    """Some bits of a packed word: one atom's bit (`field` None), or the code of the value of
    `field` among `values` (0: none of them) that several atoms read: `leaves` pairs each atom
    with the codes for which it holds."""

    field: str | None
    values: tuple[Any, ...]
    leaves: tuple[tuple[int, tuple[int, ...]], ...]
    width: int
    word: int = 0
    offset: int = 0
    stored: bool = False  # read from the rows' stored code (`Atoms.stored`), not computed

    def whens(self) -> list[When]:
        return [
            When(Q(**{self.field: value}), then=Value(code << self.offset))
            for code, value in enumerate(self.values, start=1)
        ]


class Atoms:
    """The distinct leaves of a set of `Q` trees, and each tree as a formula over them."""

    def __init__(self, stored: Any = None) -> None:
        """`stored`: what the queried rows store as a code (a module like
        `xinfang.cases.fact_codes`: its `COLUMN` and `leaf_codes`), or None."""
        self.stored = stored
        self._computed_words = 0
        self.leaves: list[Any] = []
        self._index: dict[Any, int] = {}
        # For a subquery leaf: the conditions under which some formula reads it (see `_guard`).
        self._guards: dict[int, list[tuple[Any, ...]]] = {}
        self._terms: tuple[int, list[_Term]] | None = None

    def formula(self, q: Q) -> Formula:
        return self._formula(q, ())

    def _formula(self, node: Any, context: tuple[Any, ...]) -> Formula:
        if not isinstance(node, Q):
            key = _key(node)
            index = self._index.get(key)
            if index is None:
                index = self._index[key] = len(self.leaves)
                self.leaves.append(node)
            if _is_subquery(node):
                self._guards.setdefault(index, []).append(context)
            return Formula(f"a{index}", lambda matrix: matrix[:, index])
        if node.connector not in (Q.AND, Q.OR):
            raise ValueError(f"unsupported connector {node.connector}")
        parts = []
        # Under an AND, a child matters only where its siblings hold: a subquery below it need be
        # run on those rows only (whatever negations lie between). Only a subquery reads the
        # context, so a node without one below it passes none on (the conditions are hundreds of
        # nodes: collecting siblings everywhere cost more than the rest of the formula).
        holds = [_contains_subquery(c) for c in node.children]
        plain = (
            [c for c, held in zip(node.children, holds, strict=True) if not held]
            if node.connector == Q.AND and any(holds)
            else None
        )
        for child in node.children:
            siblings = () if plain is None else tuple(c for c in plain if c is not child)
            parts.append(self._formula(child, context + siblings))
        if not parts:  # an empty Q matches every row
            text, evaluate = "T", _everything
        else:
            joiner = " & " if node.connector == Q.AND else " | "
            text = "(" + joiner.join(p.text for p in parts) + ")"
            evaluate = _all([p.evaluate for p in parts], node.connector)
        if node.negated:
            inner = evaluate
            return Formula(f"~{text}", lambda matrix: ~inner(matrix))
        return Formula(text, evaluate)

    def annotations(self) -> dict[str, Any]:
        """The atoms packed into integer columns ``w<j>`` (`_layout`; unknown is 0). A few
        integers group much faster than dozens of booleans, and the database estimates their
        groups sensibly (so it hashes, not sorts)."""
        words: dict[str, list[Any]] = {}
        for term in self._layout():
            if term.stored:
                continue
            if term.field is None:
                index = term.leaves[0][0]
                whens = [When(self._guard(index) & Q(self.leaves[index]), then=Value(1 << term.offset))]
            else:
                whens = term.whens()
            words.setdefault(f"w{term.word}", []).append(
                SqlCase(*whens, default=Value(0), output_field=BigIntegerField())
            )
        packed: dict[str, Any] = {}
        for name, terms in words.items():
            total = terms[0]
            for term in terms[1:]:
                total = total + term
            packed[name] = ExpressionWrapper(total, output_field=BigIntegerField())
        if any(term.stored for term in self._layout()):
            assert self.stored is not None
            packed[f"w{self._computed_words}"] = F(self.stored.COLUMN)
        return packed

    def unpack(self, words: np.ndarray) -> np.ndarray:
        """The atom matrix (groups × atoms, booleans) from the packed words (groups × words)."""
        matrix = np.zeros((words.shape[0], len(self.leaves)), dtype=bool)
        for term in self._layout():
            code = (words[:, term.word] >> term.offset) & ((1 << term.width) - 1)
            for index, codes in term.leaves:
                matrix[:, index] = np.isin(code, codes)
        return matrix

    def _layout(self) -> list[_Term]:
        """Where each atom lies in the words. Most atoms are a bit each (1 where the leaf holds).
        The leaves that compare one column with constants (``channel = 'visit'``, ``channel IN
        ('fax', 'video')``, ``is_repeat = false`` ...) share one code instead: the number of the
        value the column holds among those tested (0 for none, NULL included), written by one
        ``CASE``: a dozen such columns in a report, each tested for up to six values, so about
        twenty fewer expressions per row. A leaf then holds where the code is one of its values'.
        What the rows store as a code already (`stored`: a fact row's channel, outcomes, ratings,
        blank due days, met-or-late) is read from that column, which the rows are grouped by
        as it is: no expression at all."""
        if self._terms is not None and self._terms[0] == len(self.leaves):
            return self._terms[1]
        # What the rows store already (`stored`): read from their code column, not computed.
        stored: dict[Any, list[tuple[int, tuple[int, ...]]]] = {}
        for index, leaf in enumerate(self.leaves):
            read = self.stored.leaf_codes(leaf) if self.stored is not None else None
            if read is not None:
                stored.setdefault(read[0], []).append((index, read[1]))
        read_stored = {index for tests in stored.values() for index, _ in tests}
        fields: dict[str, list[tuple[int, tuple[Any, ...]]]] = {}
        for index, leaf in enumerate(self.leaves):
            if index in read_stored:
                continue
            found = compared_constants(leaf)
            if found is not None:
                fields.setdefault(found[0], []).append((index, found[1]))
        terms: list[_Term] = []
        coded = set()
        for field, tests in fields.items():
            if len(tests) < 2:
                continue
            values = list(dict.fromkeys(v for _, tested in tests for v in tested))
            codes = {v: n for n, v in enumerate(values, start=1)}
            leaves = tuple((index, tuple(codes[v] for v in tested)) for index, tested in tests)
            terms.append(_Term(field, tuple(values), leaves, len(values).bit_length()))
            coded.update(index for index, _ in tests)
        for index in range(len(self.leaves)):
            if index not in coded and index not in read_stored:
                terms.append(_Term(None, (), ((index, (1,)),), 1))
        word, offset = 0, 0
        for term in sorted(terms, key=lambda t: t.leaves[0][0]):
            if offset + term.width > WORD:
                word, offset = word + 1, 0
            term.word, term.offset = word, offset
            offset += term.width
        self._computed_words = word + 1 if terms else 0
        for part, tests in stored.items():  # the stored code is the word after the computed ones
            terms.append(
                _Term(None, (), tuple(tests), part.width, self._computed_words, part.offset, stored=True)
            )
        self._terms = (len(self.leaves), terms)
        return terms

    def _guard(self, index: int) -> Q:
        """Where atom `index` is read: for a subquery (a correlated EXISTS costs an index probe per
        row), the union of the conditions its AND-siblings set in each formula that uses it, so that
        the database runs it on those rows only; every row for any other atom. Outside the guard
        the atom is false, which no formula can tell from its true value: there a sibling of the
        atom is false, so the AND that holds both is false either way."""
        guard = Q()
        for context in self._guards.get(index, ()):
            if not context:
                return Q()
            guard |= Q(*context)
        return guard


def grouped_counts(
    rows: QuerySet[Any],
    measures: Mapping[str, tuple[Q, bool]],
    *,
    people: str = "headcount",
) -> dict[str, int]:
    """For each measure (its condition and whether it counts people), the number of `rows` that
    meet the condition (or the sum of their `people`): one grouped query."""
    return grouped_counts_by(rows, measures, people=people).get((), dict.fromkeys(measures, 0))


def grouped_counts_by(
    rows: QuerySet[Any],
    measures: Mapping[str, tuple[Q, bool]],
    *,
    by: Sequence[str] = (),
    people: str = "headcount",
    **annotations: Any,
) -> dict[tuple[Any, ...], dict[str, int]]:
    """`grouped_counts` per combination of the values of the fields `by` (which may name
    `annotations`), as the database returns them: one grouped query. Combinations without rows
    are absent."""
    return grouping_sets(rows, [(tuple(by), measures)], people=people, **annotations)[0]


def grouping_sets(
    rows: QuerySet[Any],
    sets: Sequence[tuple[tuple[str, ...], Mapping[str, tuple[Q, bool]]]],
    *,
    people: str = "headcount",
    **annotations: Any,
) -> list[dict[tuple[Any, ...], dict[str, int]]]:
    """`grouped_counts_by` for each (by, measures) of `sets` over the same rows: on PostgreSQL
    one scan (GROUP BY GROUPING SETS), elsewhere one grouped query per set."""
    if len(sets) > 1 and connections[rows.db].vendor != "postgresql":
        return [grouping_sets(rows, [one], people=people, **annotations)[0] for one in sets]
    parts = []
    packed: dict[str, Any] = {}
    for n, (by, measures) in enumerate(sets):
        atoms = Atoms(stored=getattr(rows.model, "STORED_CODES", None))
        formulas = {name: (atoms.formula(q), persons) for name, (q, persons) in measures.items()}
        if not atoms.leaves:
            raise ValueError("no condition to count")
        words = {f"s{n}_{name}": word for name, word in atoms.annotations().items()}
        packed.update(words)
        parts.append((by, atoms, formulas, list(words)))
    fields = list(dict.fromkeys(f for by, *_ in parts for f in by))
    query = (
        rows.annotate(**annotations, **packed)
        .values(*fields, *packed)
        .annotate(_n=Count("pk"), _p=Sum(people))
        .order_by()
    )
    compiler = query.query.get_compiler(using=query.db)
    sql, params = compiler.as_sql()
    columns = [alias for _, _, alias in compiler.select]
    if len(parts) > 1:
        # One scan, one grouping per set: each set's rows carry its words (never NULL in a group
        # of its own) and NULL in the other sets' columns.
        head, _ = sql.rsplit(" GROUP BY ", 1)
        positions = [[columns.index(c) + 1 for c in (*by, *words)] for by, _, _, words in parts]
        sql = f"{head} GROUP BY GROUPING SETS ({', '.join('(' + ', '.join(map(str, p)) + ')' for p in positions)})"
    # Read with a plain cursor: Django's per-row converters cost more than the grouping itself on
    # a large archive. So the `by` values come as the database gives them: group by integers and
    # texts, or a truncated month (a date on PostgreSQL, a text on SQLite).
    with connections[query.db].cursor() as cursor:
        cursor.execute(sql, params)
        grouped = cursor.fetchall()
    n_at, p_at = columns.index("_n"), columns.index("_p")
    # The groups as one object matrix, each column converted in one step: a Python loop over
    # tens of thousands of groups cost as much as the grouping's last stage.
    table = np.array(grouped, dtype=object).reshape(len(grouped), len(columns))
    owner = np.zeros(len(grouped), dtype=np.int64)  # each row to the set whose words it carries
    for k, (*_, words) in enumerate(parts):
        owner[np.not_equal(table[:, columns.index(words[0])], None)] = k
    results = []
    for k, (by, atoms, formulas, words) in enumerate(parts):
        mine = table[owner == k]
        at = [columns.index(w) for w in words]
        keys = [columns.index(f) for f in by]
        persons = mine[:, p_at]
        results.append(
            _totals(
                atoms,
                formulas,
                list(zip(*(mine[:, i] for i in keys), strict=True)) if keys else [()] * len(mine),
                mine[:, at].astype(np.int64).reshape(-1, len(at)),
                mine[:, n_at].astype(np.int64),
                np.where(np.equal(persons, None), 0, persons).astype(np.int64),
            )
        )
    return results


def _totals(
    atoms: Atoms,
    formulas: Mapping[str, tuple[Formula, bool]],
    keys: Sequence[tuple[Any, ...]],
    words: np.ndarray,
    cases: np.ndarray,
    persons: np.ndarray,
) -> dict[tuple[Any, ...], dict[str, int]]:
    """Each formula's cases (or people) per key, from the groups' packed atoms."""
    matrix = atoms.unpack(words)
    slots: dict[tuple[Any, ...], int] = {}
    if keys and not keys[0]:  # no grouping fields: every group counts towards the one total
        slots[()] = 0
        slot = np.zeros(len(keys), dtype=np.int64)
    else:
        slot = np.array([slots.setdefault(key, len(slots)) for key in keys], dtype=np.int64)
    totals: dict[str, np.ndarray] = {}
    for name, (formula, counts_people) in formulas.items():
        met = formula.evaluate(matrix)
        weights = (persons if counts_people else cases)[met]
        totals[name] = np.bincount(slot[met], weights=weights, minlength=len(slots))
    return {key: {name: int(totals[name][i]) for name in formulas} for key, i in slots.items()}


def _is_subquery(leaf: Any) -> bool:
    return isinstance(leaf, Exists)


def _contains_subquery(node: Any) -> bool:
    if isinstance(node, Q):
        return any(_contains_subquery(child) for child in node.children)
    return _is_subquery(node)


def _everything(matrix: np.ndarray) -> np.ndarray:
    return np.ones(matrix.shape[0], dtype=bool)
