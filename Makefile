# One entry point for everything: `make run`, `make test`, `make bench`, `make synth`, `make lint`.
# The virtual environments are made on first use and remade when their requirements change.

PYTHON ?= python3.11
VENV := .venv
BIN := $(VENV)/bin
SAPPORO_VENV := .venv-sapporo
LOCALSTACK_VENV := .venv-localstack
# LocalStack 4.13's KMS needs Python 3.12 (it calls uuid5 with bytes); LOCALSTACK_PYTHON= names one
LOCALSTACK_PYTHON ?= python3.12
# `make run AWS=localstack` runs the platform on LocalStack (Cognito stays on moto)
AWS ?= moto
PORT ?= 8000
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: run test test-fast bench synth lint format clean venv sapporo localstack

venv: $(VENV)/.installed

$(VENV)/.installed: requirements-dev.txt layers/deps/requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --disable-pip-version-check -r requirements-dev.txt
	# the code packages are used in place: functions/, the shared layer and the repository root
	printf '%s\n' "$(CURDIR)/functions" "$(CURDIR)/layers/core/python" "$(CURDIR)" \
		> "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/fip-sources.pth"
	touch $@

# sapporo (a real GA4GH WES server) pins its own web stack, so it lives in a venv of its own
sapporo: $(SAPPORO_VENV)/.installed

$(SAPPORO_VENV)/.installed: tests/support/sapporo-requirements.txt
	test -x $(SAPPORO_VENV)/bin/python || $(PYTHON) -m venv $(SAPPORO_VENV)
	$(SAPPORO_VENV)/bin/pip install --quiet --disable-pip-version-check -r tests/support/sapporo-requirements.txt
	touch $@

# LocalStack (AWS without Docker) pins its own stack and needs Python 3.12: a venv of its own too
localstack: $(LOCALSTACK_VENV)/.installed

$(LOCALSTACK_VENV)/.installed: local_platform/localstack-requirements.txt
	test -x $(LOCALSTACK_VENV)/bin/python || PYENV_VERSION=3.12 $(LOCALSTACK_PYTHON) -m venv $(LOCALSTACK_VENV)
	$(LOCALSTACK_VENV)/bin/pip install --quiet --disable-pip-version-check -r local_platform/localstack-requirements.txt
	touch $@

run: venv $(if $(filter localstack,$(AWS)),localstack)
	PORT=$(PORT) FIP_LOCAL_AWS=$(AWS) $(BIN)/python -m local_platform

test: venv sapporo localstack
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# the tests without the CDK synth, the end-to-end platform and sapporo: for a quick loop
test-fast: venv
	$(BIN)/python -m pytest -m "not infra and not e2e and not sapporo" $(PYTEST_ARGS)

bench: venv
	$(BIN)/python -m bench

synth: venv
	rm -rf cdk.out
	$(BIN)/python -m infra.app

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy functions layers/core/python/fip_core local_platform infra bench tests

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) $(SAPPORO_VENV) $(LOCALSTACK_VENV) .build cdk.out .state
