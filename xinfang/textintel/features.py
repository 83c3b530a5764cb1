"""Fast character n-gram TF-IDF features, vectorised with numpy.

Why not scikit-learn's ``TfidfVectorizer(analyzer="char")``: it builds every n-gram as a Python string,
which for 1–4-grams of a 400-character petition runs at ~750 messages/s on one core; our target is
2,000 messages/s for the whole prediction. Here a batch of texts is turned into one array of code
points and every n-gram becomes a 64-bit polynomial hash computed with array arithmetic; the vocabulary
is a sorted array of the hashes seen in at least ``min_df`` training documents, looked up with
``searchsorted``. With ~10⁶ distinct n-grams a 64-bit hash collision is vanishingly unlikely
(birthday bound ~3·10⁻⁸), so this is the same feature space as an exact vocabulary, about 20× faster.

Weighting matches ``TfidfVectorizer(sublinear_tf=True, smooth_idf=True, norm="l2")``:
``(1 + log tf) · (1 + log((1 + n) / (1 + df)))``, rows scaled to unit length.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import numpy.typing as npt
import scipy.sparse as sp

__all__ = ["CharNgramTfidf", "fmix64", "ngram_hashes"]

_MULT = np.uint64(0x9E3779B97F4A7C15)  # odd golden-ratio constant: the polynomial base of the hash
_SALT = np.uint64(0xD6E8FEB86659FD93)  # mixes n into the hash so 1- and 2-grams never coincide
_SEPARATOR = 0  # code point U+0000 never occurs in normalised text; marks document boundaries


def fmix64(h: npt.NDArray[np.uint64]) -> npt.NDArray[np.uint64]:
    """MurmurHash3's 64-bit finaliser: every input bit affects every output bit (good table slots)."""
    with np.errstate(over="ignore"):
        h = h ^ (h >> np.uint64(33))
        h = h * np.uint64(0xFF51AFD7ED558CCD)
        h = h ^ (h >> np.uint64(33))
        h = h * np.uint64(0xC4CEB9FE1A85EC53)
        return h ^ (h >> np.uint64(33))


def _codepoints(texts: Sequence[str]) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """All texts as one uint64 code-point array (separated by U+0000) and each text's start offset."""
    joined = "\x00".join(texts) + "\x00"
    cps = np.frombuffer(joined.encode("utf-32-le"), dtype=np.uint32).astype(np.uint64)
    lengths = np.fromiter((len(t) + 1 for t in texts), dtype=np.int64, count=len(texts))
    starts = np.zeros(len(texts), dtype=np.int64)
    if len(texts) > 1:
        starts[1:] = np.cumsum(lengths)[:-1]
    return cps, starts


def ngram_hashes(
    texts: Sequence[str], ngram_range: tuple[int, int]
) -> tuple[npt.NDArray[np.uint64], npt.NDArray[np.int64]]:
    """Hash every character n-gram of every text; return (hashes, index of the text each came from).

    N-grams that would span the boundary between two texts are dropped.
    """
    if not texts:
        return np.zeros(0, dtype=np.uint64), np.zeros(0, dtype=np.int64)
    cps, starts = _codepoints(texts)
    doc_of_pos = np.repeat(np.arange(len(texts), dtype=np.int64), np.diff(np.append(starts, len(cps))))
    is_sep = cps == _SEPARATOR
    all_hashes: list[npt.NDArray[np.uint64]] = []
    all_docs: list[npt.NDArray[np.int64]] = []
    lo, hi = ngram_range
    with np.errstate(over="ignore"):
        rolling = np.zeros(len(cps), dtype=np.uint64)
        bad = np.zeros(len(cps), dtype=bool)
        for n in range(1, hi + 1):
            width = len(cps) - n + 1
            if width <= 0:
                break
            rolling = rolling[:width] * _MULT + cps[n - 1 : n - 1 + width]
            bad = bad[:width] | is_sep[n - 1 : n - 1 + width]
            if n >= lo:
                keep = ~bad
                hashed = fmix64(rolling[keep] ^ (_SALT * np.uint64(n)))
                hashed[hashed == _EMPTY] = np.uint64(1)  # 0 marks an empty hash-table slot
                all_hashes.append(hashed)
                all_docs.append(doc_of_pos[:width][keep])
    return np.concatenate(all_hashes), np.concatenate(all_docs)


_EMPTY = np.uint64(0)


class _HashTable:
    """Open-addressing (linear probing) table from 64-bit n-gram hash to column, built and probed with
    whole-array operations. About 10× faster than ``searchsorted`` on a sorted vocabulary because each
    lookup touches one or two cache lines instead of ~18."""

    def __init__(self, keys: npt.NDArray[np.uint64]) -> None:
        bits = max(4, int(np.ceil(np.log2(max(len(keys), 1) * 3))))
        size = 1 << bits
        self.mask = np.uint64(size - 1)
        # the top bits of a multiplicative hash are the well-mixed ones (the low bits of a product
        # depend only on the low bits of the factors), so slots come from the top
        self.shift = np.uint64(64 - bits)
        self.keys = np.zeros(size, dtype=np.uint64)
        self.cols = np.full(size, -1, dtype=np.int64)
        pending = np.arange(len(keys), dtype=np.int64)
        slots = keys >> self.shift
        while len(pending):
            free = self.keys[slots] == _EMPTY
            # among keys aiming at the same free slot, the first one wins
            cand = pending[free]
            cand_slots = slots[free]
            _, first = np.unique(cand_slots, return_index=True)
            winners = cand[first]
            self.keys[cand_slots[first]] = keys[winners]
            self.cols[cand_slots[first]] = winners
            placed = np.zeros(len(pending), dtype=bool)
            placed[np.flatnonzero(free)[first]] = True
            pending = pending[~placed]
            slots = (slots[~placed] + np.uint64(1)) & self.mask

    def lookup(self, queries: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        """Column of each query hash, or -1 when it is not in the table."""
        result = np.full(len(queries), -1, dtype=np.int64)
        active = np.arange(len(queries), dtype=np.int64)
        slots = queries >> self.shift
        while len(active):
            found = self.keys[slots]
            hit = found == queries[active]
            result[active[hit]] = self.cols[slots[hit]]
            more = ~hit & (found != _EMPTY)
            active = active[more]
            slots = (slots[more] + np.uint64(1)) & self.mask
        return result


class CharNgramTfidf:
    """Character n-gram TF-IDF with a hashed vocabulary (fit/transform like a scikit-learn vectoriser)."""

    def __init__(self, ngram_range: tuple[int, int] = (1, 4), min_df: int = 2) -> None:
        self.ngram_range = ngram_range
        self.min_df = min_df
        self.vocab_: npt.NDArray[np.uint64] = np.zeros(0, dtype=np.uint64)
        self.idf_: npt.NDArray[np.float64] = np.zeros(0, dtype=np.float64)
        self._table: _HashTable | None = None

    @property
    def n_features(self) -> int:
        return len(self.vocab_)

    def fit(self, texts: Sequence[str]) -> CharNgramTfidf:
        """Learn the vocabulary (n-grams in ≥ ``min_df`` texts) and the idf weights."""
        hashes, docs = ngram_hashes(texts, self.ngram_range)
        # document frequency: count each (doc, hash) pair once
        order = np.lexsort((hashes, docs))
        hashes, docs = hashes[order], docs[order]
        first_in_doc = np.ones(len(hashes), dtype=bool)
        first_in_doc[1:] = (hashes[1:] != hashes[:-1]) | (docs[1:] != docs[:-1])
        uniq, df = np.unique(hashes[first_in_doc], return_counts=True)
        keep = df >= self.min_df
        self.vocab_ = uniq[keep]
        n_docs = len(texts)
        self.idf_ = 1.0 + np.log((1.0 + n_docs) / (1.0 + df[keep].astype(np.float64)))
        self._table = None
        return self

    def prune(self, keep: npt.NDArray[np.int64]) -> CharNgramTfidf:
        """Keep only the columns ``keep`` (sorted indices into the vocabulary), e.g. after selection."""
        self.vocab_ = self.vocab_[keep]
        self.idf_ = self.idf_[keep]
        self._table = None
        return self

    def _lookup(self, hashes: npt.NDArray[np.uint64]) -> npt.NDArray[np.int64]:
        if self._table is None:
            self._table = _HashTable(self.vocab_)
        return self._table.lookup(hashes)

    def __getstate__(self) -> dict[str, object]:
        state = dict(self.__dict__)
        state["_table"] = None  # rebuilt on first use; keeps the saved model small
        return state

    def transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        """Sublinear-tf × idf rows, L2-normalised, as a CSR matrix (n_texts × n_features)."""
        hashes, docs = ngram_hashes(texts, self.ngram_range)
        n_feat = len(self.vocab_)
        if n_feat == 0 or len(hashes) == 0:
            return sp.csr_matrix((len(texts), max(n_feat, 1)), dtype=np.float64)
        cols = self._lookup(hashes)
        found = cols >= 0
        # one sort of (row, col) keys both sums duplicate n-grams and orders the CSR arrays
        keys, counts = np.unique(docs[found] * n_feat + cols[found], return_counts=True)
        rows, col_idx = np.divmod(keys, n_feat)
        indptr = np.zeros(len(texts) + 1, dtype=np.int64)
        np.cumsum(np.bincount(rows, minlength=len(texts)), out=indptr[1:])
        data = (1.0 + np.log(counts.astype(np.float64))) * self.idf_[col_idx]
        tfidf = sp.csr_matrix((data, col_idx, indptr), shape=(len(texts), n_feat))
        # per-row sums by bincount, not reduceat: reduceat fails when the last rows have no known n-gram
        norms = np.sqrt(np.bincount(rows, weights=data**2, minlength=len(texts)))
        norms[norms == 0] = 1.0
        tfidf.data /= np.repeat(norms, np.diff(indptr))
        return tfidf

    def fit_transform(self, texts: Sequence[str]) -> sp.csr_matrix:
        return self.fit(texts).transform(texts)
