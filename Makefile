# vaktpost — the two commands a newcomer needs are `make run` and `make test`.
PYTHON ?= $(shell command -v python3.11 || command -v python3)
VENV   := .venv
BIN    := $(VENV)/bin
STAMP  := $(VENV)/.installed
DEMO   := demo
DB     ?= sqlite:///$(DEMO)/vaktpost.db
PORT   ?= 8000

.PHONY: install run demo test test-postgresql bench clean

install: $(STAMP)

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --upgrade pip
	$(BIN)/python -m pip install -e '.[dev]'
	@# compile the matcher into the disk cache now (~2 CPU minutes), not in the first scan
	$(BIN)/python -c 'from vaktpost.text.matcher import default_matcher; default_matcher()'
	touch $(STAMP)

## run: install, generate a demo world, scan it, show the funnel, serve the review UI
run: install
	./scripts/demo.sh "$(DEMO)" "$(DB)" "$(PORT)"

## test: the whole test suite
test: install
	$(BIN)/python -m pytest -q

## test-postgresql: the same suite with every store on a throw-away PostgreSQL server
test-postgresql: install
	VAKTPOST_TEST_DB=postgresql $(BIN)/python -m pytest -q -m "not browser"  # browser tests keep their own SQLite

bench: install
	@for b in benchmarks/*.py; do echo "== $$b"; $(BIN)/python $$b || exit 1; done

clean:
	rm -rf $(VENV) $(DEMO) .pytest_cache build *.egg-info
