"""The salon profile page (issue #10, owner)."""
