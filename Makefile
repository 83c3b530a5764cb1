# Xinfang: `make run` starts the demo, `make test` runs every check. See README.md.
PYTHON ?= python3.11
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-stamp
PG_URL_BASE ?= postgres://postgres@127.0.0.1:5432
PYTEST_ARGS ?= -n 2
# The Django side of textintel (the app's modules here, the ORM side in textintel/db/) is not part of the pure core.
TEXTINTEL_DJANGO := %/__init__.py %/apps.py %/models.py %/tasks.py
# The pure cores: no ORM, strictly typed.
MYPY_TARGETS := config/env.py xinfang/core/timeutil.py xinfang/core/text.py xinfang/core/docx_layout.py xinfang/core/pdf_layout.py xinfang/deadlines/calendar.py xinfang/deadlines/clocks.py \
	xinfang/deadlines/profiles.py xinfang/deadlines/events.py xinfang/deadlines/vocabulary.py xinfang/cases/vocabulary.py \
	xinfang/cases/transitions.py xinfang/cases/replay.py xinfang/statistics/indicators.py xinfang/statistics/wording.py \
	xinfang/statistics/importing.py xinfang/statistics/figure.py xinfang/statistics/render_context.py \
	xinfang/statistics/render_sample.py xinfang/statistics/charts.py \
	xinfang/leadership/campaign_figures.py \
	xinfang/reception/route_guide.py xinfang/assessment/scoring.py \
	$(filter-out $(TEXTINTEL_DJANGO),$(wildcard xinfang/textintel/*.py))

.PHONY: run test venv browser lint contracts typecheck migrations-check test-sqlite test-postgres test-cluster bench screenshots clean

$(STAMP): pyproject.toml
	@command -v $(PYTHON) >/dev/null || { echo "Python 3.11 is needed: '$(PYTHON)' was not found on PATH." >&2; exit 1; }
	@test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --disable-pip-version-check --upgrade pip
	$(PY) -m pip install --quiet --disable-pip-version-check -e '.[dev]'
	@touch $(STAMP)

venv: $(STAMP)

run: venv
	@bin/run

test: venv browser lint contracts typecheck migrations-check test-sqlite test-postgres test-cluster
	@echo "make test: all checks passed on SQLite and PostgreSQL."

# Browser tests drive Debian's chromium (Playwright's own browser download does not work here).
browser:
	@bin/ensure-chromium

lint: venv
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

# The import map of docs/development.md (Import rules): contracts in pyproject.toml [tool.importlinter].
contracts: venv
	$(VENV)/bin/lint-imports --no-cache

typecheck: venv
	$(VENV)/bin/mypy $(MYPY_TARGETS)

migrations-check: venv
	DEBUG=true DATABASE_URL=sqlite:///:memory: $(PY) manage.py makemigrations --check --dry-run

test-sqlite: venv
	DATABASE_URL=sqlite:///$(CURDIR)/var/test.sqlite3 $(PY) -m pytest $(PYTEST_ARGS)

# A fresh database per run; pytest-django creates test_<name> and drops it afterwards.
test-postgres: venv
	@$(PY) bin/check-postgres $(PG_URL_BASE)/postgres
	@name=xinfang_$$(date +%s)_$$$$; \
	DATABASE_URL=$(PG_URL_BASE)/$$name $(PY) -m pytest $(PYTEST_ARGS); status=$$?; \
	$(PY) bin/drop-test-databases $(PG_URL_BASE)/postgres $$name; exit $$status

# The production topology on this machine (bin/cluster) under load, with processes killed and the
# database connections cut: docs/deployment.md, "The fault test". About 3 minutes.
test-cluster: venv
	@bin/ensure-cluster-tools
	$(PY) deploy/fault_test.py

# Xinfang beside django-helpdesk, and Xinfang alone at a million cases: bench/README.md (not part of `make test`).
bench: venv
	$(PY) bench/compare/run.py

# Screenshots of every page as each demo account sees it, in var/screenshots/ (not part of `make test`).
screenshots: venv browser
	$(PY) bin/screenshots

clean:
	rm -rf $(VENV) var staticfiles .mypy_cache .ruff_cache
