"""One strict schema per sync command and per field patch, shared by the desk and the cloud (issue #8).

The desk validates a mutation's `args` before writing it to its outbox; the cloud validates again before
the handler touches the database. Whatever fails is answered `refused` with a translated code, never
`retry`: bad input is deterministic.

Rules: ids are canonical UUID text; instants are ISO 8601 text with a 4-digit year and a time zone, inside
[2000-01-01, 2100-01-01) UTC; an item ends after it starts and is busy at least until it ends; money,
durations and counters are integers within bounds (a bool is not an int, no negative prices); strings have
maximum lengths and hold no NUL and no lone surrogate; enums are enums; nesting is bounded; unknown
fields are refused.

Layout: `fields` (field types, bounds, the typed error, scrubbing), `v1` (the models of rules version 1),
`registry` (the registry and the entry points), `names`
(the mutation names). This package module only forwards to `registry` when one of its names is first used,
so importing `names` (every use case does) costs nothing at start-up.

Versions: `SCHEMAS` is keyed by (mutation name, v). The `v` a desk wrote on a mutation names the rules it was
written under, so tightening a rule never refuses an old outbox row for that reason alone. To tighten:
add a module `v2` whose model carries the new rule, register it as (name, 2), raise `CURRENT_VERSION` to 2
(the desk's `Outbox.append` writes it) and the cloud's accepted versions (protocol.MUTATION_VERSIONS);
rows already queued as v=1 keep validating against v1.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .names import MutationName

if TYPE_CHECKING:
    from .registry import (
        CURRENT_VERSION,
        EARLIEST,
        LATEST,
        MAX_DEPTH,
        MAX_HALALAS,
        ROW_MODELS,
        SCHEMAS,
        InvalidArgs,
        depth_of,
        scrub,
        scrub_text,
        validate_args,
        validate_row,
        validate_target,
    )

__all__ = [
    "CURRENT_VERSION", "EARLIEST", "LATEST", "MAX_DEPTH", "MAX_HALALAS", "ROW_MODELS", "SCHEMAS", "InvalidArgs",
    "MutationName",
    "depth_of", "scrub", "scrub_text", "validate_args", "validate_row", "validate_target",
]
_LAZY = frozenset(__all__) - {"MutationName"}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        from . import registry

        return getattr(registry, name)
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")
