"""What a command handler works with: the mutation, the device, the transaction's ChangeSet and the time.

A handler either returns an Outcome (applied, or applied into quarantine = conflict) or raises Refusal;
the push service then rolls the handler's work back and records a SyncConflict instead (push.py). A
handler writes replicated rows through `ctx.changes` only, and guards a write whose constraint violation
it answers with `ctx.changes.savepoint()`: it may run inside a batch of mutations sharing one transaction.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

from sqlalchemy.exc import IntegrityError

from salon_desk.domain.i18n import N_
from salon_desk.domain.ids import new_id
from salon_desk.sync.protocol import Mutation

from .changes import ChangeSet

MESSAGES = {
    "sync.gone": N_("This record no longer exists on the server."),
    "sync.invalid": N_("The server could not accept this change."),
    "sync.forbidden_field": N_("This desk may not change {fields}."),
    "sync.unknown_mutation": N_("This desk version sends a change the server does not know."),
    "overlap": N_("The stylist is already booked at this time."),
    "idempotency_key_reuse": N_("This change id was already used for a different change."),
    "device_rewound": N_("This desk's database went back in time; it must be re-linked to the salon."),
    "epoch_changed": N_("The server was restored; this desk will resend its recent changes."),
    "resync_required": N_("This desk is too far behind and must download the salon again."),
    "update_required": N_("This desk must be updated before it can sync."),
    "sync.device_mismatch": N_("The request names a different desk than its token."),
    "sync.bad_cursor": N_("The sync position sent by the desk is not valid."),
    "sync.too_large": N_("This request is larger than {max_bytes} bytes; the desk sends smaller batches."),
    "sync.duplicate_mutation": N_("This batch holds the change {mutation_id} twice; nothing was applied."),
    "sync.bad_sequence": N_(
        "The desk's changes are out of order (number {device_seq} where {expected} was expected); "
        "nothing was applied."
    ),
    "sync.id_taken": N_("This record's id is already in use; the change was not applied."),
    "server_error": N_("The server could not apply this change after several attempts; it was set aside."),
}

# SyncConflict kinds (specs/sync.md §3.3).
CONFLICT_KINDS = frozenset(
    {"overlap", "transition_refused", "move_refused", "gone", "forbidden", "invalid", "duplicate_merged"}
)


class Refusal(Exception):
    """Nothing of the mutation is kept; a SyncConflict records the attempt."""

    def __init__(self, kind: str, code: str, **params: Any) -> None:
        super().__init__(code)
        assert kind in CONFLICT_KINDS
        self.kind, self.code, self.params = kind, code, params


@dataclass
class Outcome:
    status: str = "applied"  # applied | conflict
    code: str | None = None
    params: dict[str, Any] = field(default_factory=dict)
    conflict_id: str | None = None


@dataclass
class CommandContext:
    mutation: Mutation
    device_id: str
    device_name: str
    changes: ChangeSet
    now: datetime

    @property
    def salon_id(self) -> str:
        return self.changes.salon_id

    @property
    def args(self) -> dict[str, Any]:
        return self.mutation.args

    def record_conflict(
        self,
        kind: str,
        entity: str,
        entity_id: str,
        *,
        code: str,
        params: dict[str, Any],
        current: dict[str, Any] | None = None,
    ) -> str:
        """Writes a salon-wide SyncConflict card (replicated to every desk) and returns its id."""
        conflict_id = new_id(int(self.now.timestamp() * 1000))
        actor = self.mutation.actor.model_dump() | {"device_name": self.device_name}
        self.changes.upsert(
            "sync_conflict",
            {
                "id": conflict_id,
                "kind": kind,
                "entity": entity,
                "entity_id": entity_id,
                "mutation_id": self.mutation.mutation_id,
                "device_id": self.device_id,
                "actor": actor,
                "attempted": {"name": self.mutation.name, "args": self.mutation.args},
                "current": current,
                "params": {"code": code, **params},
                "created_at": self.now,
                "updated_at": self.now,
                "deleted_at": None,
            },
        )
        return conflict_id


def is_overlap(error: IntegrityError) -> bool:
    """PostgreSQL: exclusion_violation (SQLSTATE 23P01); SQLite: the trigger's RAISE(ABORT, 'overlap')."""
    return getattr(error.orig, "sqlstate", None) == "23P01" or "overlap" in str(error.orig)
