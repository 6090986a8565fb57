"""The daily close of a desk drawer, the salon's summary of all desks, and the invoice chain check.

A close takes every paid movement of this desk not counted in an earlier close, of its business day or
before (a payment of an earlier day that reached the desk after that day closed is an adjustment), and every
document this desk issued before the business day ended. It marks them as counted in the same transaction,
so nothing is counted twice and a closed day never changes: a correction is a later credit note.
"""

from __future__ import annotations

from dataclasses import asdict
from typing import Any

from salon_desk.domain.checkout import CloseFigures, DailyClose, Movement, close_figures
from salon_desk.domain.errors import Conflict, ValidationError
from salon_desk.domain.ids import new_id
from salon_desk.domain.model import Actor
from salon_desk.domain.scheduling import business_day, business_day_extent
from salon_desk.domain.zatca import ChainProblem, verify_chain
from salon_desk.store.uow import UnitOfWork
from salon_desk.sync.schemas.names import MutationName

from . import payloads
from .checkout import CloseDay, SalonCloseSummary
from .schedule_inputs import salon_of, salon_schedule


def _figures(uow: UnitOfWork, cmd: CloseDay) -> tuple[CloseFigures, list[Movement]]:
    salon = salon_of(uow)
    schedule = salon_schedule(salon)
    today = business_day(uow.clock(), schedule)
    if cmd.business_day > today:
        raise ValidationError("close.future_day")
    if type(cmd.opening_float_halalas) is not int or cmd.opening_float_halalas < 0:
        raise ValidationError("close.bad_count")
    until = business_day_extent(cmd.business_day, schedule).end
    movements = uow.money.unclosed_movements(uow.device_id, cmd.business_day)
    documents = uow.money.unclosed_documents(uow.device_id, until)
    figures = close_figures(cmd.business_day, movements, documents, cmd.counted_cash_halalas,
                            cmd.opening_float_halalas)
    return figures, movements


def figures_json(f: CloseFigures) -> dict[str, Any]:
    data = asdict(f)
    data["business_day"] = f.business_day.isoformat()
    data["adjustments"] = list(f.adjustments)
    return data


def preview(uow: UnitOfWork, cmd: CloseDay) -> CloseFigures:
    with uow:
        return _figures(uow, cmd)[0]


def close_day(uow: UnitOfWork, cmd: CloseDay, actor: Actor) -> DailyClose:
    with uow:
        if uow.money.close_of(uow.device_id, cmd.business_day) is not None:
            raise Conflict("close.already_closed", day=cmd.business_day.isoformat())
        figures, movements = _figures(uow, cmd)
        now = uow.clock()
        schedule = salon_schedule(salon_of(uow))
        until = business_day_extent(cmd.business_day, schedule).end
        close = DailyClose(new_id(), uow.device_id, cmd.business_day, now, actor.user_id, actor.name,
                           figures_json(figures), figures.counted_cash_halalas, figures.expected_cash_halalas,
                           figures.variance_halalas)
        uow.money.add_close(close, uow.salon_id(), now)
        uow.money.mark_closed(close.id, uow.device_id, movements, until)
        uow.record(MutationName.DAILY_CLOSE_RECORD, "daily_close", close.id, payloads.daily_close_record(close), actor,
                   audit_after={"business_day": cmd.business_day.isoformat(),
                                "variance_halalas": figures.variance_halalas})
        uow.commit()
        return close


def salon_summary(uow: UnitOfWork, day: Any) -> SalonCloseSummary:
    with uow:
        closes = uow.money.closes_of_day(day)
    takings: dict[str, int] = {}
    refunds: dict[str, int] = {}
    vat = variance = 0
    for c in closes:
        for method, amount in dict(c.figures.get("takings") or {}).items():  # type: ignore[call-overload]
            takings[method] = takings.get(method, 0) + int(amount)
        for method, amount in dict(c.figures.get("refunds") or {}).items():  # type: ignore[call-overload]
            refunds[method] = refunds.get(method, 0) + int(amount)
        vat += int(str(c.figures.get("vat_halalas", 0)))
        variance += c.variance_halalas
    return SalonCloseSummary(day, tuple(closes), takings, refunds, vat, variance)


def verify_all(uow: UnitOfWork) -> list[ChainProblem]:
    with uow:
        problems: list[ChainProblem] = []
        for series in uow.money.chain_series_names():
            problems += verify_chain(uow.money.chain(series))
        return problems
