"""Conflicts reach a person: the Conflicts page, its cards and fixes, the toast and the calendar banner."""
