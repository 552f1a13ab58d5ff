#!/usr/bin/env bash
# Headless Chromium renders the reports to PDF and checks them in the tests (Debian's package).
# Installs it when missing and we may (root with apt-get); otherwise says what is missing.
set -uo pipefail
for candidate in "${CIVIC_PULSE_CHROMIUM:-}" chromium chromium-browser google-chrome; do
  [[ -n "$candidate" ]] && command -v "$candidate" >/dev/null 2>&1 && exit 0
done
if [[ "$(id -u)" == "0" ]] && command -v apt-get >/dev/null 2>&1; then
  echo "==> installing Debian's chromium (renders reports to PDF, used by the report tests)"
  if DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-dejavu-core >/tmp/civic-pulse-apt.log 2>&1 \
     || { apt-get update -q >/dev/null 2>&1 && DEBIAN_FRONTEND=noninteractive apt-get install -y -q chromium fonts-dejavu-core >/tmp/civic-pulse-apt.log 2>&1; }; then
    exit 0
  fi
  echo "WARNING: apt-get install chromium failed (see /tmp/civic-pulse-apt.log)." >&2
fi
echo "WARNING: Chromium was not found: reports are written as HTML only (no PDF) and the browser" >&2
echo "         tests are skipped. Install it with 'apt-get install chromium' or set CIVIC_PULSE_CHROMIUM." >&2
exit 0
