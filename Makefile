# Backline's one entry point. `make run` starts the local stack, `make test` runs every gate.

SHELL := /bin/bash
.SHELLFLAGS := -euo pipefail -c
.DEFAULT_GOAL := help

VENV := .venv
PY := $(VENV)/bin/python
SAM_VENV := .venv-sam
SAM := $(SAM_VENV)/bin/sam
SAM_CLI_VERSION := 1.170.0

# sam needs a region and no credentials for what we run; telemetry stays off.
export AWS_DEFAULT_REGION ?= us-east-1
export SAM_CLI_TELEMETRY := 0

# Python 3.12 if anything here runs it, else any python3 from 3.11 on.
FIND_PYTHON := for c in python3.12 $$(pyenv root 2>/dev/null)/versions/3.12*/bin/python3.12 python3; do \
	  "$$c" -c 'import sys; sys.exit(sys.version_info < (3, 11))' 2>/dev/null && { echo "$$c"; break; }; \
	done; true

.PHONY: help venv sam-venv run lint validate build openapi test bench clean

help:
	@echo "make run | test | lint | validate | build | openapi | bench | venv | sam-venv | clean"

venv: $(VENV)/.stamp

$(VENV)/.stamp: pyproject.toml
	@py=$$($(FIND_PYTHON)); test -n "$$py" || { echo "need python3.12 (or 3.11+)" >&2; exit 1; }; \
	echo "venv from $$py ($$("$$py" --version))"; "$$py" -m venv $(VENV)
	$(PY) -m pip install -q --disable-pip-version-check uv
	$(VENV)/bin/uv pip install -q --python $(PY) -r pyproject.toml --extra dev
	touch $@

# aws-sam-cli pins its own boto3 and pydantic, so it lives apart from the application.
sam-venv: $(SAM_VENV)/.stamp

$(SAM_VENV)/.stamp: | $(VENV)/.stamp
	$(PY) -m venv $(SAM_VENV)
	$(VENV)/bin/uv pip install -q --python $(SAM_VENV)/bin/python aws-sam-cli==$(SAM_CLI_VERSION)
	touch $@

run: venv  # PORT=8080 make run to move it off 3000
	$(PY) -m local

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy shared functions local tests bench

validate: sam-venv
	$(SAM) validate --lint

# Lambda's code folders are read-only, so Python compiles every module again at each cold start
# unless the bytecode ships with it: the build adds hash-checked .pyc (valid whatever the zip's
# file times say).
# No Docker: sam cross-installs arm64 wheels with the python3.12 it finds first on PATH.
build: venv sam-venv
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(SAM) build --cached --parallel
	@ls .aws-sam/build/SharedLayer/python/pydantic_core/*aarch64*.so >/dev/null \
	  || { echo "the layer has no arm64 pydantic_core" >&2; exit 1; }
	@if $(PY) -c 'import sys; sys.exit(sys.version_info[:2] != (3, 12))'; then \
	  $(PY) -m compileall -q -j 0 --invalidation-mode unchecked-hash .aws-sam/build >/dev/null; \
	else echo "bytecode not shipped: the venv is not Python 3.12, the runtime's version"; fi

openapi: venv
	$(PY) -m local.openapi > docs/openapi.json.tmp
	mv docs/openapi.json.tmp docs/openapi.json

# One process: xdist (-n 2) was slower on this suite. Try it with PYTEST_ARGS="-n 2".
test: venv sam-venv lint validate build
	$(PY) -m pytest -p no:cacheprovider $(PYTEST_ARGS) tests

bench: build
	@status=0; for script in bench/*.py; do echo "== $$script"; $(PY) $$script || status=1; done; \
	exit $$status

clean:
	rm -rf .aws-sam .mypy_cache .ruff_cache .hypothesis
	find . -name __pycache__ -not -path "./.venv*" -prune -exec rm -rf {} +
