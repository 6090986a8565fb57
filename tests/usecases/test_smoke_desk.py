from datetime import timedelta

from salon_desk.usecases.commands import FindSlots


def test_day_view_has_columns_and_blocks(desk_service, clock):
    view = desk_service.calendar.day_view(desk_service.calendar.today())
    assert view.window is not None
    assert view.columns
    assert view.blocks


def test_find_slots_then_book_first_slot(desk_service, clock):
    service = desk_service.reference.services()[0]
    slots = desk_service.calendar.find_slots(FindSlots(((service.id, None),), clock.now, days_ahead=3, limit=5))
    assert len(slots) == 5
    assert all(s.start >= clock.now for s in slots)
    assert slots[0].start - clock.now < timedelta(days=3)
