"""The Staff page (issue #10): the staff list and editor, and each person's week."""
