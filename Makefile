# The two commands a newcomer needs: `make demo` and `make test`. Nothing but Python 3.11+ is assumed.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed
# pytest-xdist workers: one per core by default
TEST_WORKERS ?= auto
# where `make demo` serves: `make demo PORT=8080` if 8000 is taken
HOST ?= 127.0.0.1
PORT ?= 8000

.PHONY: demo test check lint types format bench clean

$(INSTALLED): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	@touch $@

demo: $(INSTALLED)
	$(BIN)/townhall demo --host $(HOST) --port $(PORT)

test: $(INSTALLED)
	$(BIN)/pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

lint: $(INSTALLED)
	$(BIN)/ruff check townhall tests bench
	$(BIN)/ruff format --check townhall tests bench

types: $(INSTALLED)
	$(BIN)/mypy

check: lint types test

format: $(INSTALLED)
	$(BIN)/ruff check --fix townhall tests bench
	$(BIN)/ruff format townhall tests bench

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache
