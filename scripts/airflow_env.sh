#!/usr/bin/env bash
# Environment for running Civic Pulse DAGs under Airflow on a small machine. Source it.
_here="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
export CIVIC_PULSE_HOME="${CIVIC_PULSE_HOME:-$_here}"
_venv="${CIVIC_PULSE_VENV:-$CIVIC_PULSE_HOME/.venv}"
case "$_venv" in /*) ;; *) _venv="$CIVIC_PULSE_HOME/$_venv" ;; esac
# SparkSubmitHook runs `spark-submit` from PATH: the venv's comes first.
export PATH="$_venv/bin:$PATH"
export PYSPARK_PYTHON="$_venv/bin/python"
export PYSPARK_DRIVER_PYTHON="$_venv/bin/python"
export SPARK_LOCAL_IP="${SPARK_LOCAL_IP:-127.0.0.1}"
export TZ=UTC
export AIRFLOW_HOME="${AIRFLOW_HOME:-$CIVIC_PULSE_HOME/airflow_home}"
export AIRFLOW__CORE__DAGS_FOLDER="$CIVIC_PULSE_HOME/dags"
export AIRFLOW__CORE__LOAD_EXAMPLES=False
# The default parallelism (32) pre-forks 32 workers; 2-4 fits a 2-core machine.
export AIRFLOW__CORE__PARALLELISM="${AIRFLOW__CORE__PARALLELISM:-3}"
export AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG="${AIRFLOW__CORE__MAX_ACTIVE_TASKS_PER_DAG:-2}"
export AIRFLOW__SCHEDULER__PARSING_PROCESSES="${AIRFLOW__SCHEDULER__PARSING_PROCESSES:-1}"
export AIRFLOW__API__WORKERS="${AIRFLOW__API__WORKERS:-1}"
export AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL="${AIRFLOW__DAG_PROCESSOR__REFRESH_INTERVAL:-60}"
# Spark master for the DAGs' spark-submit: the connection, built from CIVIC_PULSE_SPARK_MASTER.
_master="${CIVIC_PULSE_SPARK_MASTER:-local[2]}"
export AIRFLOW_CONN_SPARK_CIVIC_PULSE="${AIRFLOW_CONN_SPARK_CIVIC_PULSE:-{\"conn_type\": \"spark\", \"host\": \"$_master\"\}}"
# Jobs read the same lake and landing roots as the README's demo.
export CIVIC_PULSE_LAKE_ROOT="${CIVIC_PULSE_LAKE_ROOT:-$CIVIC_PULSE_HOME/lake}"
export CIVIC_PULSE_LANDING_ROOT="${CIVIC_PULSE_LANDING_ROOT:-$CIVIC_PULSE_HOME/landing}"
export CIVIC_PULSE_REPORTS_ROOT="${CIVIC_PULSE_REPORTS_ROOT:-$CIVIC_PULSE_HOME/reports}"
export CIVIC_PULSE_DEMO_MODE="${CIVIC_PULSE_DEMO_MODE:-true}"
