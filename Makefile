# CARPIMKO assistant — the two commands a newcomer needs: `make run` and `make test`.
# Everything (virtual environment, Debian packages, trained model) is built on demand.
SHELL := /bin/bash
.DEFAULT_GOAL := help

VENV    := .venv
PY      := $(VENV)/bin/python
RASA    := $(VENV)/bin/rasa
STAMP   := $(VENV)/.installed
MODEL   := models/carpimko.tar.gz
TRAIN_INPUTS := config.yml domain.yml carpimko/facts.yml $(shell find data -name '*.yml' 2>/dev/null) \
                $(wildcard carpimko/nlu/*.py) $(wildcard carpimko/text/*.py)

export ACTION_SERVER_URL ?= http://127.0.0.1:5055/webhook
export TRACKER_DB ?= var/tracker.sqlite3
# Shared secret between Rasa and the action server (endpoints.yml); run.sh draws one if empty.
export ACTION_SERVER_TOKEN ?=
export TF_CPP_MIN_LOG_LEVEL ?= 2
# Rasa would otherwise try to send usage telemetry; nothing leaves this machine.
export RASA_TELEMETRY_ENABLED ?= false
export PIP_DISABLE_PIP_VERSION_CHECK := 1

.PHONY: help install run test lint validate facts train model eval shell lock clean system-deps transcripts \
        test-portal-postgres bench-portal bench-ivr bench-export bench-insights portal web tools \
        audit fuzz-portal \
        lock-tools scale-test bench soak validate-kubernetes transcripts-trust

help:  ## list the targets
	@grep -E '^[a-z-]+:.*## ' $(MAKEFILE_LIST) | sed 's/:.*## /\t/' | expand -t 24

# --- environment ---------------------------------------------------------------
# The Containerfile runs the same script, without `dev`: one install path.
$(STAMP): requirements.lock requirements-dev.lock pyproject.toml requirements.in scripts/install-venv.sh
	@PY310=$$(scripts/find-python310.sh) || exit 1; scripts/install-venv.sh "$$PY310" $(VENV) dev
	@touch $@

install: $(STAMP)  ## build .venv from requirements.lock + requirements-dev.lock, hashes checked (Python 3.10)

lock:  ## re-resolve the *.in files into the three hash-pinned locks, keeping locked versions (needs the package registry)
	scripts/lock.sh

system-deps:  ## install the Debian packages the tests need (PostgreSQL, Redis, nginx, Chromium…)
	@scripts/system-deps.sh

web: $(STAMP)  ## build the chat widget into web/static/widget.js (npm ci + esbuild)
	@scripts/build-web.sh

# --- model ---------------------------------------------------------------------
$(MODEL): $(STAMP) $(TRAIN_INPUTS)
	@mkdir -p models var
	@$(PY) scripts/render_facts.py
	@start=$$(date +%s); \
	$(RASA) train --fixed-model-name carpimko-training --out models --quiet || exit 1; \
	echo $$(( $$(date +%s) - start )) > var/train-seconds.txt
	@# Swap in the new model at once: a server starting meanwhile never reads half a file.
	@if [ -f models/carpimko-training.tar.gz ]; then \
		mv -f models/carpimko-training.tar.gz $@; else touch $@; fi

train: $(MODEL)  ## train the model if data, domain, config or NLU components changed
model: train

# --- checks --------------------------------------------------------------------
lint: $(STAMP)  ## ruff and mypy
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .
	$(VENV)/bin/mypy

validate: $(STAMP)  ## rasa data validate, failing on warnings that mean broken data
	$(PY) scripts/render_facts.py --check
	$(PY) scripts/validate_data.py

facts: $(STAMP)  ## write carpimko/facts.yml into domain.yml's fact slots (also done before training)
	$(PY) scripts/render_facts.py

# Each runner leaves its counts in var/junit or var/results; scripts/test_summary.py adds them up
# into the closing line, in pytest's shape, so that no partial count (nor the fuzzer's own closing
# line, which has no test count) is read as the whole run's. The fuzzer and audit run first.
test: $(STAMP) system-deps web lint validate $(MODEL)  ## everything: lint, data, pytest, privacy scan, test stories, PostgreSQL, scale
	@rm -rf var/junit var/results/story_report.json var/results-stock/story_report.json; mkdir -p var/junit; date +%s > var/junit/started
	$(MAKE) --no-print-directory audit fuzz-portal validate-kubernetes
	$(PY) -m pytest --junitxml=var/junit/pytest.xml --basetemp=var/pytest
	@# Every stack the suites started left its tracker store, console database and logs there.
	CARPIMKO_DEMO=1 $(VENV)/bin/carpimko privacy scan --stacks var/pytest
	@# The test stories through the project's entry point, then with stock Rasa: same answers.
	$(PY) -m carpimko.rasa_server test core --e2e --model $(MODEL) --stories tests/stories \
		--fail-on-prediction-errors --out var/results --no-plot
	CARPIMKO_RASA_PATCHES=0 $(PY) -m carpimko.rasa_server test core --e2e --model $(MODEL) \
		--stories tests/stories --fail-on-prediction-errors --out var/results-stock --no-plot
	$(MAKE) --no-print-directory test-portal-postgres PORTAL_PG_JUNIT=var/junit/portal-postgres.xml
	$(MAKE) --no-print-directory scale-test
	@$(PY) scripts/test_summary.py --junit var/junit/pytest.xml var/junit/portal-postgres.xml \
		--stories var/results/story_report.json var/results-stock/story_report.json \
		--started var/junit/started

# --- security tools (own venv: schemathesis and pip-audit conflict with Rasa's pins) -----------
TOOLS       := .venv-tools
TOOLS_STAMP := $(TOOLS)/.installed
$(TOOLS_STAMP): requirements-tools.lock
	@PY310=$$(scripts/find-python310.sh) || exit 1; rm -rf $(TOOLS); "$$PY310" -m venv $(TOOLS)
	$(TOOLS)/bin/python -m pip install --quiet --require-hashes -r requirements-tools.lock
	@touch $@

tools: $(TOOLS_STAMP)  ## build .venv-tools (schemathesis, pip-audit, locust) from requirements-tools.lock

lock-tools:  ## re-resolve requirements-tools.in into requirements-tools.lock only
	scripts/lock.sh tools

audit: $(TOOLS_STAMP) web  ## known vulnerabilities: pip-audit (requirements.lock), npm audit (web/)
	scripts/audit.sh

# Schemas shipped by kubernetes-validate: offline. The secret example is checked too.
K8S_VERSION ?= 1.30.0
validate-kubernetes: $(TOOLS_STAMP)  ## deploy/k8s manifests against the Kubernetes schemas of kubernetes-validate (offline)
	$(TOOLS)/bin/kubernetes-validate --strict --quiet -k $(K8S_VERSION) \
		$(filter-out deploy/k8s/kustomization.yaml,$(wildcard deploy/k8s/*.yaml))

fuzz-portal: $(TOOLS_STAMP) $(STAMP)  ## schemathesis against the portal's OpenAPI (no 5xx)
	scripts/fuzz-portal.sh

test-portal-postgres: $(STAMP) system-deps  ## the portal suite against a throwaway PostgreSQL server
	scripts/with-postgres.sh $(PY) -m pytest -q tests/portal \
		$(if $(PORTAL_PG_JUNIT),--junitxml=$(PORTAL_PG_JUNIT))

scale-test: $(MODEL) system-deps  ## 2 Rasa behind nginx (Redis locks, PostgreSQL trackers), one killed mid-load
	scripts/with-postgres.sh scripts/scale-test.sh

bench-portal: $(STAMP)  ## portal p50/p95/p99 at 50 clients and PDF times (docs/portal.md)
	$(PY) scripts/bench_portal.py --clients 50 --requests 1000

bench-ivr: $(MODEL) system-deps  ## phone channel: p50/p95 per turn of calls replayed as Twilio does, state in Redis (docs/ivr.md)
	$(PY) scripts/bench_ivr.py --calls 40 --concurrency 2

bench-export: $(STAMP)  ## 10 000 synthetic conversations exported by the CLI (docs/console.md)
	$(PY) scripts/bench_export.py --conversations 10000

bench-insights: $(STAMP)  ## 100 000 generated conversations: the dashboard's time (docs/console.md)
	$(PY) scripts/bench_insights.py --conversations 100000

# --- load benchmark (Locust from .venv-tools; stack on free loopback ports) --------------------
BENCH_ARGS   ?=
SOAK_MINUTES ?= 30
bench: $(MODEL) $(TOOLS_STAMP)  ## p50/p95/p99, msg/s, errors, peak RSS at 1-100 conversations → docs/benchmarks.md
	BENCH_COMMAND="make bench $(BENCH_ARGS)" $(TOOLS)/bin/python -m benchmarks.run \
		--write docs/benchmarks.md $(BENCH_ARGS)

soak: $(MODEL) $(TOOLS_STAMP)  ## $(SOAK_MINUTES) min at 20 conversations: memory growth → docs/benchmarks.md
	BENCH_COMMAND="make soak SOAK_MINUTES=$(SOAK_MINUTES)" $(TOOLS)/bin/python -m benchmarks.run \
		--soak-minutes $(SOAK_MINUTES) --write docs/benchmarks.md $(BENCH_ARGS)

eval: $(MODEL)  ## NLU scores on the held-out set against a TF-IDF + LinearSVC baseline
	$(PY) scripts/eval_nlu.py --model $(MODEL) --train-seconds-file var/train-seconds.txt \
		--write docs/nlu.md

# --- running -------------------------------------------------------------------
run: $(MODEL) web  ## start the whole assistant in demo mode (CARPIMKO_DEMO=1); Ctrl-C stops it
	CARPIMKO_DEMO=1 scripts/run.sh

transcripts: $(MODEL) web  ## replay the main procedures over REST on a fresh stack → docs/transcripts.md
	$(PY) scripts/replay_transcripts.py

transcripts-trust: $(MODEL) web  ## replay issue 17's four hardest cases over REST → docs/transcripts_trust.md
	$(PY) scripts/replay_transcripts.py --set trust

portal: $(STAMP)  ## serve the reference portal alone on :8080 (migrates, loads demo data)
	CARPIMKO_DEMO=1 $(PY) -m portal

shell: $(MODEL)  ## talk to the assistant in the terminal (action server with its token, patches as in production)
	@mkdir -p var/log; token=$$(head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n'); \
	ACTION_SERVER_TOKEN=$$token $(PY) -m actions.server --host 127.0.0.1 --port 5055 \
		>var/log/actions-shell.log 2>&1 & pid=$$!; trap "kill $$pid" EXIT; \
	ACTION_SERVER_TOKEN=$$token $(PY) -m carpimko.rasa_server shell --model $(MODEL)

clean:  ## remove build output (models, results, caches); keeps .venv
	rm -rf models/*.tar.gz var/results var/results-stock .rasa .pytest_cache .ruff_cache .mypy_cache
