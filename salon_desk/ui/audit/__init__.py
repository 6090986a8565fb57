"""The audit page (issue #10): who did what, in plain words, filtered, exported; the chain verified."""
