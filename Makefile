# Two commands do everything on a fresh machine: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
FLASK := $(BIN)/flask --app wsgi
HOST ?= 127.0.0.1
PORT ?= 5000
# make test DB=postgres runs the suite on PostgreSQL instead of SQLite.
DB ?= sqlite
PG_TEST_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/dps_test
ASSETS := destinations/static/css/app.css
PG_BENCH_URL ?= postgresql+psycopg://postgres@127.0.0.1:5432/dps_bench

.PHONY: install run serve test test-postgres clean bench

install: $(VENV)/.installed $(ASSETS)

$(VENV)/.installed: requirements.txt requirements-dev.txt
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements-dev.txt
	touch $@

node_modules/.installed: package.json package-lock.json
	npm ci --no-audit --no-fund --loglevel=error
	touch $@

$(ASSETS): node_modules/.installed assets/build.mjs $(wildcard assets/scss/*.scss assets/js/*)
	npm run --silent build

# The scheduler runs in the background beside gunicorn; however gunicorn ends (Ctrl+C
# included), the shell's trap stops the scheduler too and waits for it.
run: install
	$(FLASK) db upgrade
	$(FLASK) demo load --if-empty
	@echo ""
	@echo "Destinations and Progression Service: http://$(HOST):$(PORT)/  (Ctrl+C to stop)"
	@echo "Scheduled jobs run in a scheduler process beside the web workers: see /admin/jobs."
	@echo ""
	@$(FLASK) scheduler & scheduler=$$!; \
	trap 'kill -TERM $$scheduler 2>/dev/null; wait $$scheduler' EXIT; \
	trap 'exit 130' INT TERM; \
	$(BIN)/gunicorn --bind $(HOST):$(PORT) --workers 2 --access-logfile - --logger-class destinations.access_log.RedactingLogger wsgi:app

test: install
ifeq ($(DB),postgres)
	$(BIN)/python -m tests.create_database "$(PG_TEST_URL)"
	TEST_DATABASE_URL="$(PG_TEST_URL)" $(BIN)/pytest $(PYTEST_ARGS)
else
	$(BIN)/pytest $(PYTEST_ARGS)
endif

test-postgres:
	$(MAKE) test DB=postgres

# County-scale speed check (20,000 young people) on SQLite and PostgreSQL; see benchmarks/README.md.
bench: install
	$(BIN)/python -m benchmarks.roll_pages --pg-url "$(PG_BENCH_URL)" $(BENCH_ARGS)

clean:
	rm -rf $(VENV) node_modules destinations/static/css destinations/static/js destinations/static/assets instance
