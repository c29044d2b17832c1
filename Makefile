# ridesweep: every target creates .venv when it is missing, so a fresh clone needs only Python 3.11+.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
RUN_STAMP := $(VENV)/.installed-run

.PHONY: setup demo test lint typecheck layers unit drills bench clean api-model lint-infra secrets athena-tables query-pack model-check bytes-check exit-check install-check

setup: $(STAMP)

# The full developer install (tests, linters, moto). It includes everything `demo` needs.
$(STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP) $(RUN_STAMP)

# What running a sweep needs (the package alone), so a first `make demo` installs less.
$(RUN_STAMP): pyproject.toml
	@test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --disable-pip-version-check -e .
	@touch $(RUN_STAMP)

# A fresh run id each time, so every `make demo` computes its sweep rather than resuming the last.
DEMO_RUN := demo-$(shell date -u +%Y%m%dT%H%M%S)

demo: $(RUN_STAMP)
	$(BIN)/ridesweep run examples/demo.json --run-id $(DEMO_RUN) --results results --workers 2

lint: $(STAMP)
	$(BIN)/ruff check .

typecheck: $(STAMP)
	$(BIN)/mypy domain application ports adapters entrypoints

layers: $(STAMP)
	$(BIN)/lint-imports

unit: $(STAMP)
	$(BIN)/pytest

test: lint typecheck layers unit lint-infra secrets

# Fails when a file (tracked, or new and not ignored) holds a secret that .secrets.baseline does not
# list. The hook works on a copy of the baseline: a listed secret whose line moved neither fails the
# check nor rewrites the file. New false positive: `pragma: allowlist secret` on its line, or
# `$(BIN)/detect-secrets scan --baseline .secrets.baseline` and commit the baseline.
secrets: $(STAMP)
	@copy=$$(mktemp); cp .secrets.baseline $$copy; \
	out=$$($(BIN)/detect-secrets-hook --baseline $$copy \
		$$(git ls-files -co --exclude-standard | xargs -r ls -d 2>/dev/null) 2>&1); \
	status=$$?; rm -f $$copy; \
	if [ $$status -eq 1 ]; then echo "$$out" >&2; exit 1; fi; echo "secrets: no new secrets"

# Every reliability and security drill at full size (tests/drills; make test runs them smaller),
# one table; the last line is for scripts. DRILLS_SEED=N repeats or varies a run.
drills: $(STAMP)
	DRILLS_SCALE=full $(BIN)/python bench/drills.py

# The stylised facts of the model (tests/model, which make test runs on 12 seeds) on 48 seeds per
# setting: tighter margins, so a weak or reversed lever shows.
model-check: $(STAMP)
	MODEL_CHECK_SEEDS=48 $(BIN)/pytest -p no:cacheprovider tests/model

# Same simulations, same bytes: natively, with numpy's AVX-512 code paths disabled, and as arm64
# (infra/arm64-python: Debian's arm64 CPython under qemu; its first run installs qemu-user-static
# and the arm64 packages, as root, in about three minutes). .ci/run runs it after `make test`.
bytes-check: $(STAMP)
	$(BIN)/python infra/simulation_bytes.py --compare

# Every finished command exits with its documented code: the CLI 100 times beside a CPU hog (a
# native thread pool torn down late at exit would abort a run that succeeded). About 15 minutes.
exit-check: $(STAMP)
	$(BIN)/python infra/exit_check.py --runs 100

# `pip install .` into a fresh venv gives a complete CLI: run, status, every query preset and report,
# from a directory outside the checkout. .ci/run runs it after `make test`.
install-check:
	$(PYTHON) infra/install_check.py

clean:
	rm -rf $(VENV) results .pytest_cache .mypy_cache .ruff_cache

# Infrastructure: the API Gateway model is generated from the pydantic request model, and the
# Terraform is checked by `terraform fmt` and checkov. checkov has heavy pins of its own, so it
# lives in a separate venv, created on first use.
INFRA_VENV := .venv-infra
INFRA_STAMP := $(INFRA_VENV)/.installed

api-model: $(STAMP)
	$(BIN)/python infra/generate_api_model.py

# Glue table definitions (read by glue_athena.tf) and Athena DDL, generated from the Arrow schemas.
athena-tables: $(STAMP)
	$(BIN)/python infra/athena/generate_tables.py

# The generated blocks of the query pack's presets (Student t quantiles from scipy, the key
# metrics, the parameter names): application/analytics/sql_blocks.py writes them into the SQL.
query-pack: $(STAMP)
	$(BIN)/python infra/athena/generate_query_pack.py

$(INFRA_STAMP): infra/requirements-lint.txt
	@test -x $(INFRA_VENV)/bin/python || $(PYTHON) -m venv $(INFRA_VENV)
	@echo '*' > $(INFRA_VENV)/.gitignore
	$(INFRA_VENV)/bin/python -m pip install --quiet --disable-pip-version-check -r infra/requirements-lint.txt
	@touch $(INFRA_STAMP)

lint-infra: $(INFRA_STAMP)
	@if command -v terraform >/dev/null 2>&1; then TF_CLI_CONFIG_FILE=/dev/null terraform fmt -check -recursive infra/terraform; \
	else echo "lint-infra: terraform not on PATH, fmt check skipped" >&2; fi
	$(INFRA_VENV)/bin/checkov -d infra/terraform --quiet --compact --skip-download
