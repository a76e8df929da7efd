"""Not-understood messages grouped by similarity: TF-IDF on character n-grams of the
accent-folded text (scikit-learn), then average-linkage clustering on cosine distance
(SciPy's, which scikit-learn depends on: on 2 000 messages it takes a tenth of the time of
``AgglomerativeClustering``, whose own linkage is slower).

Character n-grams keep « mot de pase » and « mot de passe » together, which word features
would not; the distance threshold was chosen on hand-made groups (tests/console/
test_insights_facts.py): lower splits paraphrases, higher merges unrelated requests.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from carpimko.text.normalize import fold

DISTANCE_THRESHOLD = 0.75
EXAMPLES = 5


@dataclass
class Group:
    """Similar messages, the largest groups first; ``messages`` holds (id, text) pairs."""

    size: int
    messages: list[dict[str, Any]] = field(default_factory=list)

    @property
    def examples(self) -> list[dict[str, Any]]:
        return self.messages[:EXAMPLES]


def described(groups: list[Group]) -> list[dict[str, Any]]:
    """Size and examples of each group, for the JSON of the API and of the CLI."""
    return [{"size": g.size, "examples": [m["text"] for m in g.examples]} for g in groups]


def group_messages(messages: list[dict[str, Any]]) -> list[Group]:
    """``messages``: dicts with ``id`` and ``text`` (masked). Identical texts count once in
    the clustering and fully in the group's size."""
    by_text: dict[str, list[dict[str, Any]]] = {}
    for message in messages:
        by_text.setdefault(fold(str(message["text"])).strip(), []).append(message)
    texts = [t for t in by_text if t]
    if len(texts) < 2:
        return [Group(len(m), m) for t, m in by_text.items() if t]
    import numpy as np
    from scipy.cluster.hierarchy import fcluster, linkage
    from scipy.spatial.distance import squareform
    from sklearn.feature_extraction.text import TfidfVectorizer

    vectors = TfidfVectorizer(analyzer="char_wb", ngram_range=(2, 4), sublinear_tf=True)
    matrix = vectors.fit_transform(texts)  # rows are L2-normalised: X·Xᵀ is the cosine
    distances = 1.0 - (matrix @ matrix.T).toarray()
    np.clip(distances, 0.0, None, out=distances)
    np.fill_diagonal(distances, 0.0)
    tree = linkage(squareform(distances, checks=False), method="average")
    labels = fcluster(tree, DISTANCE_THRESHOLD, criterion="distance")
    groups: dict[int, Group] = {}
    for text, label in zip(texts, labels, strict=True):
        group = groups.setdefault(int(label), Group(0))
        group.messages += by_text[text]
        group.size += len(by_text[text])
    return sorted(groups.values(), key=lambda g: (-g.size, g.messages[0]["text"]))
