from __future__ import annotations

import numpy as np
from sklearn.feature_extraction.text import TfidfVectorizer

from xinfang.textintel.features import CharNgramTfidf

DOCS = ["小区停车难", "停车难问题", "学校食堂涨价", "食堂饭菜太贵", "小区垃圾站臭", "垃圾站搬迁"]


def test_features_equal_scikit_learns_char_tfidf_up_to_column_order() -> None:
    ours = CharNgramTfidf((1, 3), min_df=2).fit(DOCS).transform(DOCS)
    ref = TfidfVectorizer(analyzer="char", ngram_range=(1, 3), sublinear_tf=True, min_df=2, lowercase=False)
    theirs = ref.fit_transform(DOCS)
    assert ours.shape == theirs.shape
    np.testing.assert_allclose((ours @ ours.T).toarray(), (theirs @ theirs.T).toarray(), atol=1e-9)


def test_unknown_or_empty_text_gives_an_all_zero_row() -> None:
    vec = CharNgramTfidf((1, 2), min_df=1).fit(DOCS)
    assert vec.transform(["", "xyz"]).nnz == 0


def test_rows_without_a_known_ngram_at_the_end_stay_zero_and_the_rest_unit_length() -> None:
    vec = CharNgramTfidf((1, 2), min_df=1).fit(DOCS)
    x = vec.transform([DOCS[0], "xyz", ""])
    assert x.shape[0] == 3
    assert np.isclose(x[0].multiply(x[0]).sum(), 1.0)
    assert x[1].nnz == 0 and x[2].nnz == 0
