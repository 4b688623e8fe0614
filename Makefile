# Two commands on a fresh machine: `make report` and `make test`. Both set up once, then reuse.
PYTHON ?= python3
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.civmon-installed
SYSSTAMP := $(VENV)/.civmon-system-deps
PARAMS ?= params/default.yaml

.PHONY: report test setup lab bench coverage-study lock clean-outputs

report: $(STAMP) $(SYSSTAMP)
	$(BIN)/civmon run $(PARAMS)

test: $(STAMP) $(SYSSTAMP)
	$(BIN)/pytest -n 2 --dist loadgroup -q

setup: $(STAMP) $(SYSSTAMP)

# The venv and pinned Python packages; re-done only when pyproject.toml or the lock file change.
$(STAMP): pyproject.toml requirements.lock
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -c requirements.lock -e '.[test]'
	touch $(STAMP)

# System packages for Chinese PDFs (fonts, HarfBuzz subsetting, poppler); checked once per venv.
$(SYSSTAMP): tools/system-deps.sh
	tools/system-deps.sh
	@mkdir -p $(VENV) && touch $(SYSSTAMP)

lab: $(STAMP) $(SYSSTAMP)
	$(BIN)/python -m pip install -q -c requirements.lock jupyterlab
	$(BIN)/jupyter lab notebooks/

bench: $(STAMP) $(SYSSTAMP)
	$(BIN)/python bench/run_all.py

# The ITS error models' coverage study (writes docs/its_coverage.md and the csv the method note cites).
coverage-study: $(STAMP)
	$(BIN)/python bench/its_coverage.py --write

# Refresh the pins after changing dependencies in pyproject.toml.
lock:
	$(BIN)/python -m pip freeze --exclude-editable | grep -v '^civmon' > requirements.lock

clean-outputs:
	find outputs -mindepth 1 -maxdepth 1 ! -name README.md -exec rm -rf {} +
