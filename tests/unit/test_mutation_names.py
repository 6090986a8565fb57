"""One name per mutation (issue #9): the desk's use cases, the shared schemas, the cloud's handlers and the
people-facing labels all key by `MutationName`, and every write goes through `UnitOfWork.record`."""

from __future__ import annotations

import ast
from pathlib import Path

from salon_desk.cloud.sync.push import HANDLERS
from salon_desk.domain.sync_messages import MUTATION_LABELS
from salon_desk.sync.schemas import SCHEMAS
from salon_desk.sync.schemas.names import MutationName

PACKAGE = Path(__file__).resolve().parents[2] / "salon_desk"
# The wire strings as they were before the enum existed: renaming one would strand queued outbox rows
# (later issues add names; these stay as they are).
WIRE_NAMES = {
    "BOOKING_CREATE": "booking.create", "BOOKING_RESCHEDULE": "booking.reschedule",
    "BOOKING_TRANSITION": "booking.transition", "BOOKING_CANCEL": "booking.cancel",
    "BOOKING_PATCH_NOTES": "booking.patch_notes", "CUSTOMER_CREATE": "customer.create",
    "CUSTOMER_PATCH": "customer.patch", "WALK_IN_CREATE": "walk_in.create", "WALK_IN_PATCH": "walk_in.patch",
    "WALK_IN_SEAT": "walkin.seat", "WAITLIST_CREATE": "waitlist_entry.create",
    "WAITLIST_PATCH": "waitlist_entry.patch", "CONFLICT_RESOLVE": "conflict.resolve",
}


def _trees(folder: Path) -> dict[Path, ast.Module]:
    return {path: ast.parse(path.read_text(encoding="utf-8")) for path in sorted(folder.rglob("*.py"))}


def _names_recorded_by_use_cases() -> set[str]:
    """Every mutation a desk use case passes to `uow.record(...)`, always as an enum member."""
    used: set[str] = set()
    for path, tree in _trees(PACKAGE / "usecases").items():
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "uow"):
                first = node.args[0] if node.args else None
                where = f"{path.name}:{node.lineno}"
                assert isinstance(first, ast.Attribute), f"{where}: name the mutation as MutationName.X"
                assert first.attr in MutationName.__members__, where
                used.add(MutationName[first.attr].value)
    return used


def test_the_wire_names_are_unchanged() -> None:
    assert {key: MutationName[key].value for key in WIRE_NAMES} == WIRE_NAMES


def test_registry_handlers_labels_and_use_cases_name_the_same_mutations() -> None:
    names = set(MutationName)
    assert {name for name, _v in SCHEMAS} == names
    assert set(HANDLERS) == names
    assert set(MUTATION_LABELS) == names
    assert _names_recorded_by_use_cases() == names  # every mutation has a desk writer, and only those


def test_a_wire_string_finds_the_same_schema_and_handler_as_the_enum() -> None:
    for name in MutationName:
        assert SCHEMAS[(name.value, 1)] is SCHEMAS[(name, 1)]
        assert HANDLERS[name.value] is HANDLERS[name]


def test_nothing_outside_the_store_writes_the_audit_log_or_the_outbox_directly() -> None:
    offenders = []
    for path, tree in _trees(PACKAGE).items():
        if path.is_relative_to(PACKAGE / "store") or path.is_relative_to(PACKAGE / "cloud"):
            continue  # the store owns them; the cloud has its own audit and no outbox
        for node in ast.walk(tree):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
                    and isinstance(node.func.value, ast.Attribute)
                    and (node.func.value.attr, node.func.attr) in {("audit", "record"), ("outbox", "append")}):
                offenders.append(f"{path.relative_to(PACKAGE)}:{node.lineno}")
    assert offenders == []


def _payload_origin_offenders(tree: ast.Module) -> list[int]:
    """Lines of `uow.record(...)` calls whose args are not built by usecases/payloads.py: a direct
    `payloads.x(...)` call, or a local name assigned one in the same function."""
    offenders = []
    for func in ast.walk(tree):
        if not isinstance(func, ast.FunctionDef):
            continue
        from_payloads = {
            target.id
            for node in ast.walk(func) if isinstance(node, ast.Assign) and _is_payload_call(node.value)
            for target in node.targets if isinstance(target, ast.Name)
        }
        for node in ast.walk(func):
            if (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute) and node.func.attr == "record"
                    and isinstance(node.func.value, ast.Name) and node.func.value.id == "uow"):
                args = node.args[3] if len(node.args) > 3 else next(
                    (k.value for k in node.keywords if k.arg == "args"), None)
                ok = args is not None and (_is_payload_call(args)
                                           or (isinstance(args, ast.Name) and args.id in from_payloads))
                if not ok:
                    offenders.append(node.lineno)
    return sorted(set(offenders))


def _is_payload_call(node: ast.expr) -> bool:
    return (isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)
            and isinstance(node.func.value, ast.Name) and node.func.value.id == "payloads")


def test_payloads_are_built_in_one_module() -> None:
    offenders = {path.name: lines for path, tree in _trees(PACKAGE / "usecases").items()
                 if (lines := _payload_origin_offenders(tree))}
    assert offenders == {}
    assert not (PACKAGE / "usecases" / "mutations.py").exists()


def test_payload_instants_have_one_time_format() -> None:
    """payloads.py formats instants with store.types.instant_text only (waitlist and walk-ins once sent
    isoformat() text, with +00:00 and no fraction)."""
    tree = ast.parse((PACKAGE / "usecases" / "payloads.py").read_text(encoding="utf-8"))
    calls = {node.func.attr for node in ast.walk(tree)
             if isinstance(node, ast.Call) and isinstance(node.func, ast.Attribute)}
    assert "isoformat" not in calls and "strftime" not in calls
