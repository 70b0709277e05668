"""The models shipped in ``gwanmun/data``: reading one, and putting a model's
probability on the scale the policy's ``min_score`` speaks.  [pure]"""

from __future__ import annotations

from importlib import resources

import numpy as np
import numpy.typing as npt


def load_npz(name: str) -> dict[str, npt.NDArray[np.generic]]:
    """The arrays of the packaged file ``gwanmun/data/<name>``."""
    resource = resources.files("gwanmun").joinpath("data", name)
    with resource.open("rb") as fh, np.load(fh) as npz:
        return {key: npz[key] for key in npz.files}


def calibrate(probability: float, threshold: float, operating: float) -> float:
    """Piecewise-linear map of ``[0, threshold, 1]`` onto ``[0, operating, 1]``: a
    model's operating point (chosen in training) lands on the score the default
    policy acts at, so a policy threshold keeps its meaning across retraining."""
    p = min(1.0, max(0.0, probability))
    t = min(0.999, max(0.001, threshold))
    if p < t:
        return operating * p / t
    return operating + (1.0 - operating) * (p - t) / (1.0 - t)
