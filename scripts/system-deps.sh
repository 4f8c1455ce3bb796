#!/usr/bin/env bash
# Installs what the tests need from Debian: chromium (browser tests), postgresql (database tests),
# nginx (tests/test_deploy.py runs deploy/nginx.conf in front of gunicorn) and Roboto, the font
# Android phones print a plan with (the one-A4-page test measures with it, not with DejaVu).
# Only as root (CI runs as root); otherwise it says what is missing and the tests that need it fail.
set -euo pipefail
# `system-deps.sh` for the tests; `system-deps.sh bench` adds wrk, the benchmark's load generator.
missing=()
[ -x /usr/bin/chromium ] || missing+=(chromium)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || missing+=(postgresql)
[ -x /usr/sbin/nginx ] || missing+=(nginx)
fc-list 2>/dev/null | grep -q "Roboto-Regular" || missing+=(fonts-roboto-unhinted)
if [ "${1:-}" = bench ]; then command -v wrk >/dev/null || missing+=(wrk); fi
[ ${#missing[@]} -eq 0 ] && exit 0
if [ "$(id -u)" -ne 0 ]; then
  echo "missing Debian packages: ${missing[*]} (run: sudo apt-get install -y ${missing[*]})" >&2
  exit 0
fi
echo "installing Debian packages: ${missing[*]}"
export DEBIAN_FRONTEND=noninteractive
apt-get update -q >/dev/null
apt-get install -y -q --no-install-recommends "${missing[@]}" >/dev/null
