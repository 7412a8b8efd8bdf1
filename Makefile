# SouthernPOS developer commands. `make run` and `make test` work on a fresh machine.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
PYTEST_ARGS ?= -n auto
ADDR ?= 127.0.0.1:8000

.PHONY: run test lint format setup demo clean messages bench bench-quick

$(STAMP): requirements.txt
	test -x $(BIN)/python || $(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip
	$(BIN)/pip install --quiet -r requirements.txt
	touch $(STAMP)

setup: $(STAMP)

run: $(STAMP)
	$(BIN)/python manage.py migrate --noinput
	$(BIN)/python manage.py load_demo
	$(BIN)/python bin/serve.py $(ADDR)

test: $(STAMP)
	$(BIN)/pytest $(PYTEST_ARGS)

# Extract our strings into locale/{es,en} (needs GNU gettext), then fill the
# source-language side and compile the .mo files (pure Python, committed).
messages: $(STAMP)
	$(BIN)/python manage.py makemessages -l es -l en --add-location=file --no-obsolete \
		--ignore='tests/*' --ignore='bench/*' --ignore='staticfiles/*' --ignore='media/*'
	$(BIN)/python manage.py compile_catalogs

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	$(BIN)/lint-imports

format: $(STAMP)
	$(BIN)/ruff check --fix .
	$(BIN)/ruff format .

# Every benchmark in bench/ (PostgreSQL; BENCH_DATABASE_URL, see bench/run_all.py):
# `bench` rewrites BENCHMARKS.md, `bench-quick` only checks that each one runs.
bench: $(STAMP)
	$(BIN)/python bench/run_all.py

bench-quick: $(STAMP)
	$(BIN)/python bench/run_all.py --quick

clean:
	rm -rf $(VENV) db.sqlite3 db.sqlite3-wal db.sqlite3-shm staticfiles
