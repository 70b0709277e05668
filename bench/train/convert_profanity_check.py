"""Convert alt-profanity-check's English model into ``src/gwanmun/data/toxicity_en.npz``.

    python bench/train/convert_profanity_check.py                 # downloads the wheel with pip
    python bench/train/convert_profanity_check.py --wheel PATH    # or uses one already here

Needs the ``bench`` extra (scikit-learn 1.9.1 and joblib, the versions the
model was pickled with: alt-profanity-check follows scikit-learn's version
numbers); the runtime needs numpy only.

Source: alt-profanity-check 1.9.1 from PyPI (MIT; Victor Zhou, Menelaos
Kotoglou, Dimitrios Mistriotis), the wheel checked against ``SHA256``. It holds
a ``TfidfVectorizer`` (words, English stop words, l2) and a
``CalibratedClassifierCV`` of five ``LinearSVC`` with sigmoid calibration,
trained on Davidson et al.'s labelled tweets (MIT) and the Jigsaw toxic comment
data (Wikipedia talk-page comments; CC0, the comment text CC BY-SA 3.0). The npz
keeps the vocabulary (in index order, newline-joined UTF-8), the idf, the five
coefficient vectors and intercepts and the five sigmoids; see
``data/TOXICITY_MODEL.md``. The operating point is the library's own (0.5).

The script checks that the numpy inference of ``gwanmun.check.toxicity``
reproduces scikit-learn's ``predict_proba`` on the project's English set and a
few more sentences, with float16 coefficients, before it writes anything.
"""

from __future__ import annotations

import argparse
import hashlib
import json
import subprocess
import sys
import tempfile
import unicodedata
import zipfile
from pathlib import Path
from typing import Any

import numpy as np
import numpy.typing as npt

ROOT = Path(__file__).resolve().parents[2]
OUT = ROOT / "src" / "gwanmun" / "data" / "toxicity_en.npz"
EVAL = ROOT / "bench" / "data" / "toxicity_en.jsonl"
PACKAGE = "alt-profanity-check==1.9.1"
SHA256 = "cccb8ce072306bac21188670777a25cfb1de978aa8c7a93c8e4a43c03b3945c3"
SKLEARN = "1.9.1"
# Largest tolerated |numpy - scikit-learn| probability difference after float16 storage.
TOLERANCE = 2e-3
EXTRA = [
    "fuck you",
    "go to hell, you scum",
    "predict_prob() takes an array and returns the probability each string is offensive",
    "Have a nice day!",
    "THIS IS SHIT",
    "ｆｕｃｋ ｙｏｕ",
    "the the the",
]


def fetch(dest: Path) -> Path:
    subprocess.run(
        [sys.executable, "-m", "pip", "download", PACKAGE, "--no-deps", "-d", str(dest)],
        check=True,
    )
    (wheel,) = dest.glob("alt_profanity_check-*.whl")
    return wheel


def load(wheel: Path, dest: Path) -> tuple[Any, Any]:
    digest = hashlib.sha256(wheel.read_bytes()).hexdigest()
    if digest != SHA256:
        sys.exit(f"{wheel}: sha256 {digest}, expected {SHA256} ({PACKAGE})")
    import joblib
    import sklearn

    if sklearn.__version__ != SKLEARN:
        sys.exit(f"scikit-learn {sklearn.__version__} here; the model needs {SKLEARN} to unpickle")
    with zipfile.ZipFile(wheel) as zf:
        zf.extractall(dest)
    data = dest / "profanity_check" / "data"
    return joblib.load(data / "vectorizer.joblib"), joblib.load(data / "model.joblib")


def arrays(vectorizer: Any, model: Any) -> dict[str, npt.NDArray[np.generic]]:
    params = vectorizer.get_params()
    expected = {"analyzer": "word", "ngram_range": (1, 1), "lowercase": True, "norm": "l2"}
    expected |= {"use_idf": True, "sublinear_tf": False, "token_pattern": r"(?u)\b\w\w+\b"}
    for key, value in expected.items():
        if params[key] != value:
            sys.exit(f"vectorizer {key} = {params[key]!r}; the runtime assumes {value!r}")
    if params["preprocessor"] is not None or params["tokenizer"] is not None:
        sys.exit("vectorizer has a custom preprocessor or tokenizer; the runtime cannot follow")
    words = sorted(vectorizer.vocabulary_, key=vectorizer.vocabulary_.__getitem__)
    if any("\n" in w for w in words):
        sys.exit("a vocabulary word contains a newline")
    parts = model.calibrated_classifiers_
    if list(parts[0].classes) != [0, 1] or any(p.method != "sigmoid" for p in parts):
        sys.exit("expected binary classes [0, 1] and sigmoid calibration")
    return {
        "vocabulary": np.frombuffer("\n".join(words).encode("utf-8"), dtype=np.uint8),
        "idf": vectorizer.idf_.astype(np.float32),
        "coef": np.stack([p.estimator.coef_[0] for p in parts]).astype(np.float16),
        "intercept": np.array([p.estimator.intercept_[0] for p in parts], dtype=np.float32),
        "slope": np.array([p.calibrators[0].a_ for p in parts], dtype=np.float32),
        "offset": np.array([p.calibrators[0].b_ for p in parts], dtype=np.float32),
        "threshold": np.array([0.5], dtype=np.float32),
        "source": np.array(f"{PACKAGE} (MIT); bench/train/convert_profanity_check.py"),
    }


def verify(data: dict[str, npt.NDArray[np.generic]], vectorizer: Any, model: Any) -> float:
    from gwanmun.check.toxicity import EnglishModel

    runtime = EnglishModel.from_npz(data)
    texts = [json.loads(line)["text"] for line in EVAL.open(encoding="utf-8")] + EXTRA
    # The runtime NFKC-folds first (full-width letters); scikit-learn gets the folded text.
    folded = [unicodedata.normalize("NFKC", t) for t in texts]
    x = vectorizer.transform(folded)
    reference = model.predict_proba(x)[:, 1]
    worst, flips = 0.0, 0
    for i, text in enumerate(texts):
        ours = runtime.probability(text)
        if (ours is None) != (x[i].nnz == 0):
            sys.exit(f"numpy and scikit-learn disagree on which words of {text!r} are known")
        if ours is None:
            continue  # no known word: the check scores 0, scikit-learn its intercept
        worst = max(worst, abs(ours - float(reference[i])))
        flips += (ours >= 0.5) != (reference[i] >= 0.5)
    print(
        f"checked {len(texts)} texts: max |numpy - sklearn| = {worst:.2e}, "
        f"decisions flipped {flips}"
    )
    if worst > TOLERANCE or flips:
        sys.exit("the numpy inference does not reproduce scikit-learn; nothing written")
    return worst


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--wheel", type=Path, help="an alt-profanity-check 1.9.1 wheel")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        wheel = args.wheel or fetch(Path(tmp) / "wheel")
        vectorizer, model = load(wheel, Path(tmp) / "unpacked")
    data = arrays(vectorizer, model)
    verify(data, vectorizer, model)
    np.savez_compressed(OUT, allow_pickle=False, **data)
    size = OUT.stat().st_size / 1024
    print(f"wrote {OUT.relative_to(ROOT)} ({size:.0f} KiB, {len(data['idf'])} words)")


if __name__ == "__main__":
    main()
