"""Hand-written fakes of external services; each speaks real HTTP on 127.0.0.1 (see each module)."""
