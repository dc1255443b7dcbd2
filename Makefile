# flytespec: every task is a target here; `make help` lists them.
# Set-up is automatic: the first target that needs the development environment creates .venv.

PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
GEN_VENV := .venv-gen
FLOOR_VENV := .venv-floor
FLYTEKIT_VENV := .venv-flytekit
# The oldest runtimes flytespec declares (pyproject.toml); `make test-floor` runs the suite on them.
FLOOR_PINS := protobuf==4.21.1 PyYAML==6.0.1

.DEFAULT_GOAL := help
.PHONY: help demo test test-floor test-python-backend lint format typecheck gen goldens check-gen lint-proto breaking bench fuzz check clean

help: ## list the targets
	@grep -hE '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | awk -F':.*## ' '{printf "  %-20s %s\n", $$1, $$2}'

$(BIN)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -e '.[dev]'
	touch $@

$(GEN_VENV)/bin/.installed: tools/requirements-gen.txt tools/requirements-protoc.txt
	$(PYTHON) -m venv $(GEN_VENV)
	$(GEN_VENV)/bin/python -m pip install -q --upgrade pip
	$(GEN_VENV)/bin/python -m pip install -q -r tools/requirements-gen.txt
	$(GEN_VENV)/bin/python -m pip install -q --no-deps -r tools/requirements-protoc.txt
	touch $@

$(FLYTEKIT_VENV)/bin/.installed: tools/requirements-flytekit.txt
	$(PYTHON) -m venv $(FLYTEKIT_VENV)
	$(FLYTEKIT_VENV)/bin/python -m pip install -q --upgrade pip
	$(FLYTEKIT_VENV)/bin/python -m pip install -q -r tools/requirements-flytekit.txt
	touch $@

$(FLOOR_VENV)/bin/.installed: pyproject.toml
	$(PYTHON) -m venv $(FLOOR_VENV)
	$(FLOOR_VENV)/bin/python -m pip install -q --upgrade pip
	$(FLOOR_VENV)/bin/python -m pip install -q -e '.[dev]' $(FLOOR_PINS)
	touch $@

demo: $(BIN)/.installed ## build example workflows, write, validate and draw them, show a broken spec's diagnostics
	$(BIN)/python examples/demo.py build/demo

test: $(BIN)/.installed ## run the test suite (newest dependencies)
	$(BIN)/python -m pytest

test-floor: $(FLOOR_VENV)/bin/.installed ## run the test suite on the oldest declared runtimes
	$(FLOOR_VENV)/bin/python -c 'import google.protobuf as p, yaml; print("protobuf", p.__version__, "PyYAML", yaml.__version__)'
	$(FLOOR_VENV)/bin/python -m pytest -q

test-python-backend: $(BIN)/.installed ## run the test suite on protobuf's pure-Python backend
	PROTOCOL_BUFFERS_PYTHON_IMPLEMENTATION=python $(BIN)/python -m pytest -q

lint: $(BIN)/.installed lint-proto ## ruff (lint and format) and buf (lint and format)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

lint-proto: $(BIN)/.installed
	$(BIN)/buf lint
	$(BIN)/buf format --diff --exit-code

format: $(BIN)/.installed ## rewrite Python and .proto files in their canonical format
	$(BIN)/ruff format .
	$(BIN)/ruff check --fix .
	$(BIN)/buf format -w

typecheck: $(BIN)/.installed ## mypy --strict over src, tests, tools and bench
	$(BIN)/mypy

gen: $(GEN_VENV)/bin/.installed ## regenerate gen/ from idl/ with the pinned generators
	$(GEN_VENV)/bin/python tools/gen.py

goldens: $(FLYTEKIT_VENV)/bin/.installed ## rewrite the builder's golden files (tests/build/goldens) with flytekit
	$(FLYTEKIT_VENV)/bin/python tools/flytekit_goldens.py

check-gen: $(GEN_VENV)/bin/.installed ## fail when gen/ is not what `make gen` writes
	$(GEN_VENV)/bin/python tools/gen.py --check

breaking: $(BIN)/.installed ## buf breaking: idl/ against the previous commit of main (and HEAD, when idl/ has changes)
	@if git rev-parse -q --verify HEAD~1 >/dev/null; then \
	  echo "buf breaking --against .git#ref=HEAD~1"; $(BIN)/buf breaking --against '.git#ref=HEAD~1' || exit 1; \
	else echo "buf breaking: no previous commit to compare with"; fi
	@if git rev-parse -q --verify HEAD >/dev/null && [ -n "$$(git status --porcelain -- idl buf.yaml)" ]; then \
	  echo "buf breaking --against .git#ref=HEAD"; $(BIN)/buf breaking --against '.git#ref=HEAD' || exit 1; \
	fi

bench: $(BIN)/.installed ## benchmarks beside the peers (codecs, validation, compilation, builder), figures in bench/results/
	$(BIN)/python bench/bench_io.py
	$(BIN)/python bench/bench_validate.py
	$(BIN)/python bench/bench_cli.py
	$(BIN)/python bench/bench_build.py
	$(BIN)/python bench/bench_extreme.py

# FUZZ_SECONDS (default 600) sets the time; FUZZ_ARGS passes more (--engines, --targets, --seed; see tools/fuzz.py).
FUZZ_SECONDS ?= 600
fuzz: $(BIN)/.installed ## fuzz every target for FUZZ_SECONDS (hypothesis, mutation, atheris when it installs); prints executions and findings
	@$(BIN)/python -c 'import atheris' 2>/dev/null || $(BIN)/python -m pip install -q 'atheris>=2.3' \
	  || echo "atheris did not install: fuzzing with hypothesis and mutation only"
	$(BIN)/python tools/fuzz.py --seconds $(FUZZ_SECONDS) $(FUZZ_ARGS)

check: lint typecheck check-gen breaking test ## everything CI runs on every change

clean: ## remove the virtual environments and caches
	rm -rf $(VENV) $(GEN_VENV) $(FLOOR_VENV) $(FLYTEKIT_VENV) .mypy_cache .ruff_cache .pytest_cache .hypothesis build *.egg-info
