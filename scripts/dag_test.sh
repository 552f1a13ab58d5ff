#!/usr/bin/env bash
# Run one nightly DAG run in-process (no scheduler): scripts/dag_test.sh 2026-11-27
# Processes landing day $1 through every task, with the same spark-submit calls as production.
set -euo pipefail
day="${1:?usage: scripts/dag_test.sh YYYY-MM-DD}"
source "$(dirname "$0")/airflow_env.sh"
export CIVIC_PULSE_DAG_TEST=1
mkdir -p "$AIRFLOW_HOME"
airflow db migrate >/dev/null
airflow dags test civic_pulse_nightly "${day}T02:30:00+00:00" --conf "{\"day\": \"${day}\"}"
