#!/usr/bin/env bash
# Set-up shared by every README command: check Java 17+, create .venv, install the pinned lock.
# Idempotent: a second call only re-installs when requirements.lock or setup.cfg changed.
set -euo pipefail
cd "$(dirname "$0")/.."

VENV="${CIVIC_PULSE_VENV:-.venv}"

java_major() {
  local line
  line=$("$1" -version 2>&1 | head -n 1) || return 1
  # openjdk version "17.0.15" / java version "1.8.0_392"
  local version
  version=$(sed -E 's/.*version "([^"]+)".*/\1/' <<<"$line")
  local major=${version%%.*}
  [[ "$major" == "1" ]] && major=$(cut -d. -f2 <<<"$version")
  echo "$major"
}

JAVA_BIN="java"
[[ -n "${JAVA_HOME:-}" && -x "${JAVA_HOME}/bin/java" ]] && JAVA_BIN="${JAVA_HOME}/bin/java"
if ! command -v "$JAVA_BIN" >/dev/null 2>&1; then
  echo "ERROR: Java 17 or newer is required (Spark runs on the JVM) and no 'java' was found." >&2
  echo "       Install it, e.g. 'apt-get install openjdk-17-jre-headless', or set JAVA_HOME." >&2
  exit 1
fi
major=$(java_major "$JAVA_BIN" || echo 0)
if [[ ! "$major" =~ ^[0-9]+$ ]] || (( major < 17 )); then
  echo "ERROR: Java 17 or newer is required; found: $("$JAVA_BIN" -version 2>&1 | head -n 1)" >&2
  exit 1
fi

PYTHON="${PYTHON:-}"
if [[ -z "$PYTHON" ]]; then
  for candidate in python3.11 python3; do
    if command -v "$candidate" >/dev/null 2>&1 && \
       "$candidate" -c 'import sys; raise SystemExit(sys.version_info[:2] != (3, 11))' 2>/dev/null; then
      PYTHON="$candidate"; break
    fi
  done
fi
if [[ -z "$PYTHON" ]]; then
  echo "ERROR: Python 3.11 is required (python3.11 or python3 pointing to 3.11 not found)." >&2
  exit 1
fi

if [[ ! -x "$VENV/bin/python" ]]; then
  echo "==> creating virtual environment in $VENV"
  "$PYTHON" -m venv "$VENV"
fi

stamp="$VENV/.civic-pulse-installed"
want=$(cat requirements.lock setup.cfg pyproject.toml | sha256sum | cut -d' ' -f1)
if [[ ! -f "$stamp" || "$(cat "$stamp")" != "$want" ]]; then
  echo "==> installing pinned dependencies from requirements.lock (offline registries are enough)"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --upgrade "pip==26.3"
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check -r requirements.lock
  "$VENV/bin/python" -m pip install --quiet --disable-pip-version-check --no-deps --no-build-isolation -e .
  echo "$want" > "$stamp"
fi
echo "==> environment ready: $VENV (Java $major, $("$VENV/bin/python" --version))"
