# The two commands: `make demo` renders the bundled blueprints into output/,
# `make test` runs the whole test suite. Both install what they need first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SETUP := PYTHON=$(PYTHON) VENV=$(VENV) scripts/setup.sh

.PHONY: demo test install install-test bench schema clean

demo: install
	$(BIN)/mlsd render blueprints/*.yaml -o output -f png -f svg -f mermaid

test: install-test
	$(BIN)/python -m pytest $(PYTEST_ARGS)

install:
	@$(SETUP) venv
	@$(SETUP) graphviz

install-test:
	@$(SETUP) venv test
	@$(SETUP) graphviz
	@$(SETUP) browser
	@$(SETUP) node

bench: install
	$(BIN)/python benchmarks/validate.py
	$(BIN)/python benchmarks/lint.py
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/simulate.py

schema: install
	$(BIN)/mlsd schema > schema/mlsd.schema.json

clean:
	rm -rf $(VENV) tests/js/node_modules output/.tmp-*
