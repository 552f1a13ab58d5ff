#!/usr/bin/env bash
# Airflow 3 standalone (scheduler, API server with the UI, triggerer, DAG processor) for Civic Pulse.
set -euo pipefail
source "$(dirname "$0")/airflow_env.sh"
mkdir -p "$AIRFLOW_HOME"
airflow db migrate
echo "==> UI on http://localhost:8080 (the admin password is printed below and saved in $AIRFLOW_HOME)"
exec airflow standalone
