"""Benchmarks, evaluations and the scripts that build shipped data, by job:

- ``speed/``: what Gwanmun costs, each against a direct call or a peer in one run.
- ``quality/``: how well the guard and checks work, beside peers where there are any.
- ``train/``: scripts that write the shipped models in ``src/gwanmun/data/*.npz``.
- ``data/``: the project's own sets the three read.

Every script runs as ``python bench/<job>/<name>.py`` (it puts the repository on
``sys.path`` itself); docs/benchmarks.md has each one's method and latest result.
Nothing here imports tests/ (tests/test_layout.py); what both need is in devtools/.
"""
