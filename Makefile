# One entry point for everything: `make run`, `make test`, `make bench`, `make synth`, `make lint`,
# `make diff`, `make deploy`, `make lock`.
# The virtual environments are made on first use from the hash-locked requirements (*.lock), and made
# afresh whenever a lock changes, so they hold exactly what the lock says. `make lock` regenerates the
# locks from the requirement files people edit (requirements-dev.txt, layers/deps/requirements.txt,
# tests/support/sapporo-requirements.txt).

# The Lambda runtime's Python (infra/constants.py); development, tests and CI run the same minor version.
PYTHON_VERSION := 3.12
# PYTHON=/path/to/python3.12 names the interpreter; by default tools/find-python looks for one.
PYTHON ?=
VENV := .venv
BIN := $(VENV)/bin
SAPPORO_VENV := .venv-sapporo
DEV_LOCK := requirements-dev.lock
DEPS_LOCK := layers/deps/requirements.lock
SAPPORO_LOCK := tests/support/sapporo-requirements.lock
LOCALSTACK_VENV := .venv-localstack
LOCALSTACK_LOCK := local_platform/localstack-requirements.lock
# `make run AWS=localstack` runs the platform on LocalStack (Cognito stays on moto)
AWS ?= moto
# the CDK CLI pinned in package.json / package-lock.json
CDK := node_modules/.bin/cdk
PORT ?= 8000
export JSII_SILENCE_WARNING_END_OF_LIFE_NODE_VERSION := 20

.PHONY: run test test-fast bench synth cost catalogue diff deploy lint format lock clean venv sapporo localstack cdk-cli web chromium

# $(1): the virtual environment, $(2): its lock. Made afresh (with the wanted Python) and installed
# with --require-hashes: every package, dependencies included, must be in the lock with its hash; $(3):
# more pip flags.
define install_locked
	rm -rf $(1)
	python="$$(PYTHON='$(PYTHON)' tools/find-python $(PYTHON_VERSION))" && "$$python" -m venv $(1)
	$(1)/bin/python -m pip install --quiet --disable-pip-version-check --require-hashes $(3) -r $(2)
endef

venv: $(VENV)/.installed $(VENV)/.fip-installed

$(VENV)/.installed: $(DEV_LOCK)
	$(call install_locked,$(VENV),$(DEV_LOCK))
	# the code packages are used in place: functions/, the shared layer and the repository root
	printf '%s\n' "$(CURDIR)/functions" "$(CURDIR)/layers/core/python" "$(CURDIR)" \
		> "$$($(BIN)/python -c 'import sysconfig; print(sysconfig.get_paths()["purelib"])')/fip-sources.pth"
	touch $@

# the command-line client `fip` (cli/fip), installed in place with its console script; its packages are in
# the lock already, and setuptools (the build backend pyproject.toml names) too, so nothing is fetched
$(VENV)/.fip-installed: $(VENV)/.installed pyproject.toml
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --no-deps --no-index --no-build-isolation -e .
	touch $@

# sapporo (a real GA4GH WES server) pins its own web stack, so it lives in a venv of its own
sapporo: $(SAPPORO_VENV)/.installed

$(SAPPORO_VENV)/.installed: $(SAPPORO_LOCK)
	# the lock is the whole resolved set (uv wrote it): installed as it is (--no-deps), since pip, resolving
	# again, took sapporo's uvicorn[standard] as a requirement of its own, found a newer uvicorn on the
	# index and refused it as unpinned. (Not for .venv: there two packages write aws_cdk/cloud_assembly_schema
	# and only pip's dependency order leaves aws-cdk-lib's copy, the one the CDK needs.)
	$(call install_locked,$(SAPPORO_VENV),$(SAPPORO_LOCK),--no-deps)
	$(SAPPORO_VENV)/bin/python -m pip check --disable-pip-version-check
	touch $@

cdk-cli: node_modules/.installed

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

# The web console (web/): its npm packages from web/package-lock.json, then its typed API client
# generated from the platform's own OpenAPI document (written offline from the declarations and
# handlers), type-checked and built into web/dist. Always rebuilt: a changed route must fail `tsc` here.
web/node_modules/.installed: web/package.json web/package-lock.json
	cd web && npm ci --no-audit --no-fund --loglevel=error
	touch $@

web: venv web/node_modules/.installed
	$(BIN)/python -m local_platform.openapi web/src/api/openapi.json
	cd web && npm run --silent build

# The browser the console's tests drive (tests/browser): Debian's chromium, installed when missing
# (Playwright's own browser downloads are not used).
CHROMIUM ?= $(shell command -v chromium 2>/dev/null || echo /usr/bin/chromium)

chromium: $(CHROMIUM)

$(CHROMIUM):
	apt-get update -qq
	DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium

# $(1): the lock, $(2): what to resolve into it. The lock is replaced only when it changed, so that
# an unchanged lock does not make the virtual environments afresh.
define compile_lock
	cp $(1) $(1).new
	$(BIN)/uv pip compile --quiet --generate-hashes --custom-compile-command "make lock" $(LOCK_FLAGS) \
		--python-version $(PYTHON_VERSION) $(2) --output-file $(1).new
	if cmp -s $(1).new $(1); then rm $(1).new; else mv $(1).new $(1); fi
endef

# The dependency layer's lock is resolved for the Lambda platform (ARM64, CPython 3.12, wheels only),
# not for this machine; the development lock is constrained by it, so tests run the layer's versions.
# A lock keeps the versions it has where they still fit; `make lock LOCK_FLAGS=--upgrade` takes the newest.
lock: venv
	$(call compile_lock,$(DEPS_LOCK),--python-platform aarch64-manylinux2014 --only-binary :all: layers/deps/requirements.txt)
	$(call compile_lock,$(DEV_LOCK),--universal requirements-dev.txt --constraint $(DEPS_LOCK))
	$(call compile_lock,$(SAPPORO_LOCK),--universal tests/support/sapporo-requirements.txt)
	$(call compile_lock,$(LOCALSTACK_LOCK),--universal local_platform/localstack-requirements.txt)

# LocalStack (AWS without Docker) pins its own stack; its KMS needs Python 3.12 (it calls uuid5 with bytes)
localstack: $(LOCALSTACK_VENV)/.installed

$(LOCALSTACK_VENV)/.installed: $(LOCALSTACK_LOCK)
	# installed as it is, like sapporo's, so that no newer release on the index can come between
	$(call install_locked,$(LOCALSTACK_VENV),$(LOCALSTACK_LOCK),--no-deps)
	$(LOCALSTACK_VENV)/bin/python -m pip check --disable-pip-version-check
	touch $@

run: venv web $(if $(filter localstack,$(AWS)),localstack)
	PORT=$(PORT) FIP_LOCAL_AWS=$(AWS) $(BIN)/python -m local_platform

# the CDK CLI is needed by the test that synthesises through it (tests/infra/test_cdk_cli.py)
test: venv sapporo localstack cdk-cli web chromium
	$(BIN)/python -m pytest $(PYTEST_ARGS)

# the tests without the CDK synth, the end-to-end platform, the fuzzing leg and sapporo: for a quick loop
test-fast: venv
	$(BIN)/python -m pytest -m "not infra and not e2e and not fuzz and not sapporo" $(PYTEST_ARGS)

bench: venv
	$(BIN)/python -m bench

synth: venv web
	rm -rf cdk.out
	$(BIN)/python -m infra.app

# docs/events.md, the catalogue of the platform's events, from the event models and the declarations
catalogue: venv
	$(BIN)/python -m infra.event_catalogue

# each profile synthesised into its own folder, then priced from infra/prices.json
cost: venv web
	rm -rf cdk.out/small cdk.out/standard
	$(BIN)/python -c 'from infra.app import build_app; build_app("cdk.out/small", {"profile": "small"})[0].synth()' >/dev/null
	$(BIN)/python -c 'from infra.app import build_app; build_app("cdk.out/standard", {"profile": "standard"})[0].synth()' >/dev/null
	$(BIN)/python -m infra.cost small=cdk.out/small/fip-dev.template.json standard=cdk.out/standard/fip-dev.template.json

# With AWS credentials: the pinned CDK CLI runs cdk.json's app. CDK_ARGS adds options, such as
# `-c environment=prod` or `-c alarm_email=ops@example.org`.
diff: venv cdk-cli web
	$(CDK) diff $(CDK_ARGS)

deploy: venv cdk-cli web
	$(CDK) deploy $(CDK_ARGS)

lint: venv
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/mypy functions layers/core/python/fip_core cli/fip local_platform infra bench tests

format: venv
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

clean:
	rm -rf $(VENV) $(SAPPORO_VENV) $(LOCALSTACK_VENV) node_modules web/node_modules web/dist .build cdk.out .state
