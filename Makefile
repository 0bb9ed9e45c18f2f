# Two entry points: `make sample` (set up, then run the bundled sample) and `make test`.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin

.PHONY: setup sample test lint system-packages clean

$(BIN)/autoclear: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $@

setup: $(BIN)/autoclear

sample: setup
	$(BIN)/autoclear run --sample

system-packages:
	bash scripts/install-system-packages.sh

lint: setup
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks
	$(BIN)/mypy

test: setup system-packages lint
	$(BIN)/pytest -n 2 --timeout 600

clean:
	rm -rf $(VENV) autoclear-runs test-artifacts .pytest_cache .mypy_cache .ruff_cache
