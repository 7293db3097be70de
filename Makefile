# Two commands on a fresh clone: `make run` (set up, then open the app) and `make test` (set up, then test).
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin

.PHONY: run test test-fast lint bench clean screenshot docs

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

# constraints.txt pins every package to the versions the tests (and the snapshots) were made with;
# a plain `pip install .` takes the ranges in pyproject.toml instead.
$(VENV)/.installed-run: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[test]'
	touch $@ $(VENV)/.installed-run $(VENV)/.installed-docs

$(VENV)/.installed-docs: pyproject.toml constraints.txt | $(BIN)/python
	$(BIN)/python -m pip install --quiet -c constraints.txt -e '.[docs]'
	touch $@

run: $(VENV)/.installed-run
	$(BIN)/explorer $(ARGS)

# The suite runs on five workers (pytest-xdist), a file per worker at a time: most of a test's time is waiting
# (servers, frames), so on two cores five overlap the waits best (docs/contributing.md, "Tests"); PYTEST_ARGS
# replaces that, e.g. `make test PYTEST_ARGS="-q tests/test_cli.py"` runs one file in one process.
PYTEST_ARGS ?= -n 5 --dist loadfile
# Bytecode caches (__pycache__, git-ignored) are written even where the environment sets PYTHONDONTWRITEBYTECODE:
# without them every worker compiles the tests and the project anew (collecting took 4.3 s of CPU, 2.1 s cached),
# and so does every `python -m explorer` a test runs. The servers still write none (runtime/servers/launch.py).
TEST_ENV := PYTHONDONTWRITEBYTECODE= PYTEST_DISABLE_PLUGIN_AUTOLOAD=1

test: $(VENV)/.installed-test
	$(TEST_ENV) $(BIN)/python -m pytest $(PYTEST_ARGS)

# The tests that start no server and no process (marked `serverless`), in one process: seconds, not minutes.
# Only the files holding such a test are collected: importing the others costs more than running these.
test-fast: $(VENV)/.installed-test
	$(TEST_ENV) $(BIN)/python -m pytest -q -m serverless $(shell grep -l "mark.serverless" tests/test_*.py)

# Lint: the formatter's check, the linter and the type checker, as .ci/run runs them (settings in pyproject.toml).
lint: $(VENV)/.installed-test
	$(BIN)/ruff format --check .
	$(BIN)/ruff check
	$(BIN)/mypy

clean:
	rm -rf $(VENV) build site *.egg-info .pytest_cache .mypy_cache .ruff_cache

bench: $(VENV)/.installed-test
	$(BIN)/python benchmarks/first_paint.py
	$(BIN)/python benchmarks/keys.py
	$(BIN)/python benchmarks/shown_time.py
	$(BIN)/python benchmarks/filter_typing.py
	$(BIN)/python benchmarks/engine_vs_wrk.py
	$(BIN)/python benchmarks/open_loop_accuracy.py

screenshot: $(VENV)/.installed-test
	$(BIN)/python docs/screenshot.py

# The docs site (mkdocs.yml, docs/*.md) into site/; --strict fails on a broken link or anchor.
docs: $(VENV)/.installed-docs
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict
