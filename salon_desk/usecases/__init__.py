"""The application layer: verb_noun(uow, command) -> Result with Changes. One transaction each."""
