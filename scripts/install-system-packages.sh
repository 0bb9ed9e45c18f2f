#!/usr/bin/env bash
# Install the Debian packages the test suite uses: Chromium for the browser tests, and
# LibreOffice Calc (no GUI) so a test opens the Excel workbook the way an office would.
set -euo pipefail

needed=()
command -v chromium >/dev/null 2>&1 || needed+=(chromium)
command -v soffice >/dev/null 2>&1 || needed+=(libreoffice-calc-nogui)
if [ "${#needed[@]}" -eq 0 ]; then
  exit 0
fi

if [ "$(id -u)" -ne 0 ]; then
  if command -v sudo >/dev/null 2>&1; then
    exec sudo "$0" "$@"
  fi
  echo "Missing Debian packages (${needed[*]}) and this user cannot install them:" \
    "run 'apt-get install ${needed[*]}' as root." >&2
  exit 1
fi
export DEBIAN_FRONTEND=noninteractive
apt-get update -qq
if ! command -v chromium >/dev/null 2>&1; then
  apt-get install -y -qq chromium >/dev/null
fi
if ! command -v soffice >/dev/null 2>&1; then
  # Without recommends: Calc alone, not the whole office suite.
  apt-get install -y -qq --no-install-recommends libreoffice-calc-nogui >/dev/null
fi
