from __future__ import annotations

import csv
from pathlib import Path

import numpy as np

from xinfang.textintel.classify import NEEDS_PERSON, ClassifierConfig, ContentClassifier

TRAFFIC = [
    "公交车经常晚点",
    "公交线路太少出行不便",
    "道路拥堵红绿灯太短",
    "出租车拒载乘客",
    "公交站台没有遮雨棚",
    "地铁站出口太远",
]
SCHOOL = [
    "学校收取补课费",
    "幼儿园学费太贵",
    "学生午餐质量差",
    "老师体罚学生",
    "学校操场被占用",
    "中学招生不公平",
]
TEXTS = TRAFFIC + SCHOOL
LABELS = ["交通运输"] * len(TRAFFIC) + ["教育文体"] * len(SCHOOL)
SMALL = ClassifierConfig(ngram_range=(1, 2), min_df=1)


def test_a_trained_model_predicts_the_obvious_class_with_a_confidence() -> None:
    model = ContentClassifier.train(TEXTS, LABELS, SMALL)
    pred = model.predict_one("公交车太挤了")
    assert pred.best_guess == "交通运输" and 0.0 < pred.confidence <= 1.0


def test_below_the_threshold_the_answer_is_needs_a_person() -> None:
    model = ContentClassifier.train(
        TEXTS, LABELS, ClassifierConfig(ngram_range=(1, 2), min_df=1, threshold=1.01)
    )  # no confidence reaches 1.01: every answer must defer to a person, with a best guess
    pred = model.predict_one("今天天气不错")
    assert pred.label is None and pred.reason == NEEDS_PERSON and pred.best_guess in set(LABELS)


def test_training_twice_gives_the_same_model(tmp_path: Path) -> None:
    a = ContentClassifier.train(TEXTS, LABELS, SMALL).predict_proba(TEXTS)
    b = ContentClassifier.train(TEXTS, LABELS, SMALL).predict_proba(TEXTS)
    np.testing.assert_array_equal(a, b)


def test_a_saved_model_loads_and_predicts_the_same(tmp_path: Path) -> None:
    model = ContentClassifier.train(TEXTS, LABELS, SMALL)
    model.save(tmp_path / "m")
    loaded = ContentClassifier.load(tmp_path / "m")
    np.testing.assert_allclose(loaded.predict_proba(TEXTS), model.predict_proba(TEXTS))
    assert (tmp_path / "m" / "meta.json").is_file() and loaded.labels == ["交通运输", "教育文体"]


def test_on_real_messages_a_small_model_beats_chance_by_far(data_dir: Path) -> None:
    with (data_dir / "messages_train.csv").open(encoding="utf-8") as fh:
        rows = list(csv.DictReader(fh))
    train, test = rows[:800], rows[-300:]
    model = ContentClassifier.train([r["文本"] for r in train], [r["一级标签"] for r in train])
    preds = model.predict([r["文本"] for r in test])
    accuracy = np.mean([p.best_guess == r["一级标签"] for p, r in zip(preds, test, strict=True)])
    assert accuracy >= 0.75


def test_learning_curve_trains_on_a_growing_share_of_the_groups() -> None:
    import pytest

    from xinfang.textintel.evaluation import learning_curve

    texts = [f"{t}，第{i}次反映" for i in range(4) for t in TEXTS]
    labels = LABELS * 4
    groups = [str(n) for n in range(len(texts))]
    curve = learning_curve(texts, labels, groups, fractions=(0.5, 1.0), config=SMALL, folds=2)
    assert [fraction for fraction, _, _ in curve] == [0.5, 1.0]
    (_, half_size, _), (_, full_size, full_f1) = curve
    assert full_size == len(texts) // 2  # every training-fold message at 1.0
    assert half_size == full_size // 2
    assert full_f1 > 0.9  # the two topics share no words: the full folds separate them
    with pytest.raises(ValueError, match="fraction"):
        learning_curve(texts, labels, groups, fractions=(0.0,), config=SMALL, folds=2)
