#!/usr/bin/env bash
# Installs the project into .venv and runs lint, the architecture contracts and the whole test suite.
# System packages (fonts, Qt libraries, Chromium) are installed by .ci/run, or by hand as the README says.
set -euo pipefail
cd "$(dirname "$0")/.."
"$(bash scripts/python.sh)" -m venv .venv
.venv/bin/pip install -q --upgrade pip
.venv/bin/pip install -q -e ".[dev]"
.venv/bin/python -m salon_desk.l10n compile
.venv/bin/ruff check salon_desk tests
.venv/bin/lint-imports
QT_QPA_PLATFORM=offscreen .venv/bin/pytest "$@"
