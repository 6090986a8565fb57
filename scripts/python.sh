#!/usr/bin/env bash
# Prints the Python to build the virtual environment with: 3.12 or newer where the machine has one.
# PySide6 6.12 on Python 3.11 drops references to None/True on some calls and can abort a long-running
# desk (Python 3.12 makes them immortal); 3.11 remains supported with a guard in salon_desk/ui/qt_runtime.py.
for candidate in python3.12 python3.13; do
  if command -v "$candidate" >/dev/null 2>&1 && "$candidate" -c 'import venv' 2>/dev/null; then
    command -v "$candidate"; exit 0
  fi
done
if command -v pyenv >/dev/null 2>&1; then
  for version in $(pyenv versions --bare 2>/dev/null | grep -E '^3\.12\.' | sort -rV) \
                 $(pyenv versions --bare 2>/dev/null | grep -E '^3\.13\.' | sort -rV); do
    echo "$(pyenv root)/versions/$version/bin/python3"; exit 0
  done
fi
command -v python3
