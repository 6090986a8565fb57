"""The Customers page: search (mobile or name), profile, add and edit."""
