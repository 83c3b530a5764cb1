"""Honest evaluation of the content classifier: cross-validation grouped by near-duplicate group.

Why grouped: ``messages_train.csv`` contains near-identical copies (column ``近重复组``). If one copy is
in the training folds and another in the test fold, the score measures memory, not generalisation; the
private held-out set was split by the same groups, so we split the same way.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np

from .classify import ClassifierConfig, ContentClassifier

__all__ = ["CVReport", "ClassReport", "grouped_cross_validation", "learning_curve"]


@dataclass(frozen=True)
class ClassReport:
    label: str
    precision: float
    recall: float
    f1: float
    support: int


@dataclass(frozen=True)
class CVReport:
    macro_f1: float
    accuracy: float
    per_class: list[ClassReport]
    labels: list[str]
    confusion: list[list[int]]  # rows: true label, columns: predicted label (argmax, no deferral)
    deferred_share: float  # share of messages below the confidence threshold
    accuracy_when_confident: float

    def format(self) -> str:
        width = max(len(lbl) for lbl in self.labels) + 2
        lines = [f"{'标签':<{width}}  precision  recall     F1  support"]
        for c in self.per_class:
            lines.append(
                f"{c.label:<{width}}  {c.precision:9.3f}  {c.recall:6.3f}  {c.f1:5.3f}  {c.support:7d}"
            )
        lines.append("confusion matrix (rows = true, columns = predicted, same order):")
        for lbl, row in zip(self.labels, self.confusion, strict=True):
            lines.append(f"{lbl:<{width}} " + " ".join(f"{v:5d}" for v in row))
        return "\n".join(lines)


def grouped_cross_validation(
    texts: Sequence[str],
    labels: Sequence[str],
    groups: Sequence[str],
    config: ClassifierConfig | None = None,
    folds: int = 5,
) -> CVReport:
    """Train on k−1 folds and predict the k-th, with no near-duplicate group on both sides."""
    from sklearn.metrics import confusion_matrix, f1_score, precision_recall_fscore_support
    from sklearn.model_selection import GroupKFold

    classes = sorted(set(labels))
    y = np.asarray(labels, dtype=object)
    pred = np.empty(len(texts), dtype=object)
    conf = np.zeros(len(texts))
    for tr, te in GroupKFold(n_splits=folds).split(texts, y, np.asarray(groups)):
        model = ContentClassifier.train([texts[i] for i in tr], [labels[i] for i in tr], config)
        probs = model.predict_proba([texts[i] for i in te])
        pred[te] = np.asarray(model.labels, dtype=object)[probs.argmax(axis=1)]
        conf[te] = probs.max(axis=1)
    p, r, f, s = precision_recall_fscore_support(y, pred, labels=classes, zero_division=0)
    threshold = (config or ClassifierConfig()).threshold
    confident = conf >= threshold
    correct = pred == y
    return CVReport(
        macro_f1=float(f1_score(y, pred, labels=classes, average="macro")),
        accuracy=float(correct.mean()),
        per_class=[
            ClassReport(c, float(p[i]), float(r[i]), float(f[i]), int(s[i])) for i, c in enumerate(classes)
        ],
        labels=classes,
        confusion=confusion_matrix(y, pred, labels=classes).tolist(),
        deferred_share=float(1 - confident.mean()),
        accuracy_when_confident=float(correct[confident].mean()) if confident.any() else 0.0,
    )


def learning_curve(
    texts: Sequence[str],
    labels: Sequence[str],
    groups: Sequence[str],
    fractions: Sequence[float] = (0.25, 0.5, 0.75, 1.0),
    config: ClassifierConfig | None = None,
    folds: int = 5,
    seed: int = 20261122,
) -> list[tuple[float, int, float]]:
    """Grouped cross-validation macro-F1 when only a share of the training folds' near-duplicate groups is
    kept (the test folds stay whole): ``(fraction, mean training messages, macro-F1)`` per fraction.

    It answers "would more labelled messages help, and by how much": a curve still rising at 1.0 says the
    model is short of data rather than of capacity.
    """
    from sklearn.metrics import f1_score
    from sklearn.model_selection import GroupKFold

    classes = sorted(set(labels))
    y = np.asarray(labels, dtype=object)
    g = np.asarray(groups)
    splits = list(GroupKFold(n_splits=folds).split(texts, y, g))
    out = []
    for fraction in fractions:
        if not 0 < fraction <= 1:
            raise ValueError(f"fraction must be in (0, 1], got {fraction}")
        rng = np.random.default_rng(seed)
        pred = np.empty(len(texts), dtype=object)
        sizes = []
        for tr, te in splits:
            kept_groups = np.unique(g[tr])
            kept_groups = rng.permutation(kept_groups)[: max(1, round(len(kept_groups) * fraction))]
            part = tr[np.isin(g[tr], kept_groups)]
            if len(set(y[part])) < 2:
                raise ValueError(f"fraction {fraction} leaves fewer than two labels to train on")
            sizes.append(len(part))
            model = ContentClassifier.train([texts[i] for i in part], [labels[i] for i in part], config)
            probs = model.predict_proba([texts[i] for i in te])
            pred[te] = np.asarray(model.labels, dtype=object)[probs.argmax(axis=1)]
        out.append((fraction, int(np.mean(sizes)), float(f1_score(y, pred, labels=classes, average="macro"))))
    return out
