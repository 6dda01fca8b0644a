# The two commands of the README: `make demo` and `make test`. Each makes its own virtual
# environment (.venv) with the project installed in it.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed

.PHONY: demo demo-carbon test test-deps check lint typecheck contracts unit venv clean

venv: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	touch $(STAMP)

demo: venv
	$(BIN)/conveyor run examples/quickstart

# The flagship: a home, `conveyor serve` with its local forge, acme/carbon-connect created from
# examples/carbon-connect, a pull request with a complete TDD proof; prints the run pages' URLs.
demo-carbon: venv
	$(BIN)/python scripts/demo_carbon.py

test: venv test-deps check unit

# Installs (as root, only when missing) what the service tests need: redis, PostgreSQL clients,
# Chromium; and the pinned @octokit data (GitHub's OpenAPI and webhook schemas) into .test-data/.
test-deps:
	bash scripts/install-test-deps.sh
	bash scripts/install-test-data.sh

check: lint typecheck contracts

lint:
	$(BIN)/ruff check src tests benchmarks
	$(BIN)/ruff format --check src tests benchmarks

typecheck:
	$(BIN)/mypy

contracts:
	$(BIN)/lint-imports

unit:
	$(BIN)/pytest

clean:
	rm -rf $(VENV) .mypy_cache .pytest_cache .ruff_cache
