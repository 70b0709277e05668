"""A second opinion on prompt injection in Korean and Japanese, by meaning.

The injection check's classifier reads hashed character n-grams: it knows the
words of the attacks it was trained on, not their sense, and attacks written
apart from its training generator got past it (issue 18, point 6: 0.69 of the
Korean and 0.67 of the Japanese attacks of held-out set C). This stage reads the
same text in the multilingual sentence encoder's space (``check.embeddings``:
the Universal Sentence Encoder the groundedness check already loads), where a
paraphrase lands near the phrasing it paraphrases, and scores it with a small
network (512 → ``hidden`` ReLU → 1) trained by
``bench/train/train_injection_embedding.py`` (``data/INJECTION_EMBEDDING_MODEL.md``).

It is a second opinion, not a second scan, because one embedding costs a few
milliseconds (the whole input guard has about 5 ms per 1 KB request):

- only text with Hangul or kana (``applies``): the set it was built for;
- not a segment that says *not* to forget or ignore something
  (``negates_an_override``): the embedding does not see the negation;
- only the one segment the character classifier found most suspicious (the
  text, a window, a sentence or a pair of them; on a reading when that scored
  higher), and only when that classifier gave it at least ``floor``: few
  ordinary requests reach it (of 1 KB of news or encyclopaedia sentences, 7%
  in Korean, 13% in Japanese), the attacks it misses mostly do (its
  probability is low, not nil).

Its probability is mapped onto the check's scale like the character model's:
the operating point chosen in training lands on 0.7.

Off by default (``output.injection_embedding``): on sets C and D it finds 6-14
points more attacks but flags a few more office requests, and it costs 3-22 ms
on the requests it reads (docs/benchmarks.md, "third round").
"""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import numpy.typing as npt

from gwanmun import packaged
from gwanmun.check.embeddings import EMBED_DIM, embed

# Hangul syllables and jamo, hiragana and katakana (full and half width).
_KOREAN_JAPANESE = re.compile(
    r"[\uac00-\ud7a3\u1100-\u11ff\u3131-\u318e\u3041-\u30ff\uff66-\uff9f]"
)
FILE = "injection_embedding_model.npz"
# "Do not forget / ignore the instructions": sentence embeddings barely see the
# negation ("지금까지 받은 지시를 잊지 말고 따라 주세요" scored 0.89), so a segment
# that negates the verb of an override is left to the rules and the character
# classifier, which read it.
_NEGATED_OVERRIDE = re.compile(
    r"(?:잊|무시하|무시|버리|어기)\s*(?:지\s*(?:말|마|않)|면\s*안|어서는\s*안|으면\s*안)|"
    r"(?:忘れ|無視し|無視せ|無視す|破ら|捨て)(?:ず|ない|ては|るな)"
)


def applies(text: str) -> bool:
    """Whether the stage looks at ``text`` at all: it has Hangul or kana."""
    return _KOREAN_JAPANESE.search(text) is not None


def negates_an_override(segment: str) -> bool:
    """Whether ``segment`` says not to forget or ignore something (left to the rules)."""
    return _NEGATED_OVERRIDE.search(segment) is not None


@dataclass(frozen=True)
class EmbeddingInjectionModel:
    """One hidden layer over sentence embeddings, and when to consult it.

    ``threshold`` is the probability mapped onto the check's 0.7; ``floor`` the
    character classifier's probability a segment needs before it is embedded.
    """

    hidden_weights: npt.NDArray[np.float32]  # (EMBED_DIM, hidden)
    hidden_bias: npt.NDArray[np.float32]  # (hidden,)
    output_weights: npt.NDArray[np.float32]  # (hidden,)
    output_bias: float
    threshold: float
    floor: float

    def logits(self, vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        hidden = np.maximum(vectors @ self.hidden_weights + self.hidden_bias, 0.0)
        return np.asarray(hidden @ self.output_weights + self.output_bias, dtype=np.float64)

    def probabilities(self, vectors: npt.NDArray[np.float32]) -> npt.NDArray[np.float64]:
        """The probability of an attack for each row of sentence embeddings."""
        return np.asarray(1.0 / (1.0 + np.exp(-np.clip(self.logits(vectors), -60.0, 60.0))))

    def probability(self, text: str) -> float:
        """The probability that ``text`` (one segment) is an attack; embeds it."""
        return float(self.probabilities(embed([text]))[0])

    def save(self, path: Path, **meta: str) -> None:
        arrays: dict[str, npt.NDArray[np.generic]] = {
            "hidden_weights": self.hidden_weights.astype(np.float16),
            "hidden_bias": self.hidden_bias.astype(np.float32),
            "output_weights": self.output_weights.astype(np.float32),
            "output_bias": np.array([self.output_bias], dtype=np.float32),
            "threshold": np.array([self.threshold], dtype=np.float32),
            "floor": np.array([self.floor], dtype=np.float32),
        }
        arrays.update({key: np.array(value) for key, value in meta.items()})
        np.savez_compressed(path, allow_pickle=False, **arrays)

    @classmethod
    def from_npz(cls, data: dict[str, npt.NDArray[np.generic]]) -> EmbeddingInjectionModel:
        hidden_weights = np.asarray(data["hidden_weights"], dtype=np.float32)
        hidden = hidden_weights.shape[1] if hidden_weights.ndim == 2 else -1
        hidden_bias = np.asarray(data["hidden_bias"], dtype=np.float32).reshape(-1)
        output_weights = np.asarray(data["output_weights"], dtype=np.float32).reshape(-1)
        if hidden_weights.shape[0] != EMBED_DIM or not (
            hidden == len(hidden_bias) == len(output_weights)
        ):
            raise ValueError(
                f"injection embedding model: expected ({EMBED_DIM}, h) hidden weights and "
                "h hidden and output weights; retrain with bench/train/train_injection_embedding.py"
            )

        def scalar(key: str) -> float:
            return float(np.asarray(data[key]).reshape(-1)[0])

        return cls(
            hidden_weights=hidden_weights,
            hidden_bias=hidden_bias,
            output_weights=output_weights,
            output_bias=scalar("output_bias"),
            threshold=scalar("threshold"),
            floor=scalar("floor"),
        )


_lock = threading.Lock()
_loaded: list[EmbeddingInjectionModel] = []


def load_embedding_model() -> EmbeddingInjectionModel:
    """The packaged model (``data/injection_embedding_model.npz``), loaded once."""
    if _loaded:
        return _loaded[0]
    with _lock:
        if not _loaded:
            _loaded.append(EmbeddingInjectionModel.from_npz(packaged.load_npz(FILE)))
        return _loaded[0]
