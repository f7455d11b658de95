#!/usr/bin/env bash
# Install Debian's chromium for the report's browser test when it is missing (needs root or sudo).
# Without it the browser test skips and says why.
set -u
command -v chromium >/dev/null 2>&1 && exit 0
SUDO=""
[ "$(id -u)" -ne 0 ] && command -v sudo >/dev/null 2>&1 && SUDO="sudo -n"
if command -v apt-get >/dev/null 2>&1; then
  echo "installing chromium (for the report's browser test)…"
  $SUDO apt-get update -qq >/dev/null 2>&1 || true
  DEBIAN_FRONTEND=noninteractive $SUDO apt-get install -y -qq chromium >/dev/null 2>&1 \
    || echo "could not install chromium: the browser test will be skipped" >&2
else
  echo "no apt-get: install chromium yourself to run the browser test" >&2
fi
exit 0
