# One target per README command. Each target does its own set-up (scripts/bootstrap.sh).
VENV ?= .venv
PY := $(VENV)/bin/python
export PATH := $(abspath $(VENV))/bin:$(PATH)
export PYSPARK_PYTHON := $(abspath $(PY))
export PYSPARK_DRIVER_PYTHON := $(abspath $(PY))
export SPARK_LOCAL_IP ?= 127.0.0.1
export TZ := UTC
DAY ?= 2026-11-27
POSTS ?= 5000
BENCH_POSTS ?= 100000
DAYS ?= 3

.PHONY: setup demo test lint typecheck bench report lock train-sentiment train-topics airflow-standalone clean

setup:
	@bash scripts/bootstrap.sh

## README command 1: the main job end to end on generated sample data (local Spark, local Delta lake)
demo: setup
	@bash scripts/ensure_chromium.sh
	$(PY) -m jobs.pipeline --day $(DAY) --days $(DAYS) --generate $(POSTS)

## README command 2: the test suite
test: setup
	@bash scripts/ensure_chromium.sh
	$(PY) -m pytest -q

lint: setup
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check . || true

typecheck: setup
	$(VENV)/bin/mypy jobs schemas models dags

## The day's report for policy teams (HTML + PDF; on a Monday also the week's), from ./lake
report: setup
	@bash scripts/ensure_chromium.sh
	$(PY) -m jobs.report --day $(DAY) --period nightly

bench: setup
	$(PY) -m jobs.bench --posts $(BENCH_POSTS)

train-sentiment: setup
	$(PY) -m models.sentiment all

train-topics: setup
	$(PY) -m models.topics all

## Airflow with its UI on a small machine (see README)
airflow-standalone: setup
	bash scripts/airflow_standalone.sh

## Regenerate the lock from the current environment (after changing setup.cfg)
lock:
	$(PY) -m pip freeze --exclude-editable | grep -v '^civic-pulse' > requirements.lock

clean:
	rm -rf lake landing reports build .pytest_cache
