#!/usr/bin/env bash
# Installs the project into .venv and opens the demo salon (a temporary folder; your data is untouched).
set -euo pipefail
cd "$(dirname "$0")/.."
if [ "$(id -u)" = 0 ] && ! fc-list | grep -qi "Noto Sans Arabic"; then
  apt-get update -qq && apt-get install -y -qq fonts-noto-core >/dev/null
fi
"$(bash scripts/python.sh)" -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[cloud]"   # the demo embeds a cloud; the desk alone needs no extra
.venv/bin/python -m salon_desk.l10n compile
exec .venv/bin/salon-desk --demo "$@"
