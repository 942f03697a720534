# Two commands do all the set-up on a fresh machine with Python 3.11+ and git:
#   make demo   install mortem and show it on a sample repository
#   make test   install the dev tools and run every check and test
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed-$(shell cksum pyproject.toml | cut -d' ' -f1)
DEMO := demo
PORT ?= 8000

.PHONY: install demo test lint typecheck unit bench browser clean

$(STAMP): pyproject.toml
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	rm -f $(VENV)/.installed-*
	touch $@

# The lint engine's hot modules, compiled with mypyc whenever a lint source changes
# (plain Python where no C compiler is found; see docs/performance.md).
COMPILED := src/mortem/lint/.compiled
$(COMPILED): $(STAMP) $(wildcard src/mortem/lint/*.py) scripts/compile_lint.py
	$(BIN)/python scripts/compile_lint.py
	touch $@

# Bytecode for mortem's own modules, written once here: where PYTHONDONTWRITEBYTECODE
# is set (as on this machine) Python would otherwise compile every module it imports
# at every start, about 40 ms of each command. Python checks each file's source
# against its bytecode, so bytecode older than an edit is never used.
BYTECODE := $(VENV)/.bytecode
$(BYTECODE): $(STAMP) $(shell find src -name '*.py')
	$(BIN)/python -m compileall -q src
	touch $@

install: $(STAMP) $(COMPILED) $(BYTECODE)

demo: install
	$(BIN)/python scripts/make_demo.py $(DEMO)
	$(BIN)/mortem -C $(DEMO) list
	$(BIN)/mortem -C $(DEMO) show $$(ls $(DEMO)/postmortems | grep -m1 '\.md$$' | sed 's/\.md$$//')
	$(BIN)/mortem -C $(DEMO) validate
	@if $(BIN)/python -c "import mortem.web" 2>/dev/null; then \
	  echo "Serving the sample repository on http://127.0.0.1:$(PORT) (Ctrl-C stops it)"; \
	  $(BIN)/mortem -C $(DEMO) serve --host 127.0.0.1 --port $(PORT) --demo-account; fi

browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  (apt-get update -qq && apt-get install -y -qq chromium chromium-driver >/dev/null) || \
	  echo "chromium could not be installed: browser tests will fail"; }

lint: install
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: install
	$(BIN)/mypy

unit: install browser
	$(BIN)/pytest -n 2 -q

test: lint typecheck unit

bench: install
	$(BIN)/python -m bench.run

clean:
	find src -name '*.so' -delete
	find src -name __pycache__ -prune -exec rm -rf {} +
	rm -rf $(VENV) $(DEMO) .pytest_cache .mypy_cache .ruff_cache bench/.corpus build $(COMPILED)
