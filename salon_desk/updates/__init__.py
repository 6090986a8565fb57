"""Signed updates (issue #13): the desk installs only what the vendor's TUF keys signed (see client.py), and
the first start of a new version backs the database up, migrates it, and restores it if that fails
(first_start.py)."""
