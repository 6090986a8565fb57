"""The services catalogue page (issue #10)."""
