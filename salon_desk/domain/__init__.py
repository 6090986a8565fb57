"""Pure business rules and value types. No I/O, no Qt, no SQLAlchemy, no HTTP, no Babel."""
