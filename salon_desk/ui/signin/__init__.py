"""Sign-in, lock after idle time and quick user switch (issue #10)."""
