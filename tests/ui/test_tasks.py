"""TaskRunner: order on the DB lane, delivery on the GUI thread, errors never swallowed, clean shutdown."""

from __future__ import annotations

import logging
import threading

import pytest
import shiboken6
from PySide6.QtCore import QEvent, QObject, QThread
from PySide6.QtWidgets import QApplication

from salon_desk.domain.errors import Conflict
from salon_desk.ui.tasks import TaskRunner


def test_db_jobs_run_in_submission_order_on_one_worker_thread(task_runner: TaskRunner) -> None:
    ran_on: list[int] = []
    results: list[int] = []

    def job(n: int) -> int:
        ran_on.append(threading.get_ident())
        return n * 10

    for n in range(20):
        task_runner.db(job, n, on_done=results.append)

    assert task_runner.wait_idle(5000)
    assert results == [n * 10 for n in range(20)]
    assert len(set(ran_on)) == 1
    assert ran_on[0] != threading.get_ident()


def test_results_and_errors_are_delivered_on_the_gui_thread(task_runner: TaskRunner) -> None:
    delivered_in: list[QThread] = []
    task_runner.db(lambda: 1, on_done=lambda _value: delivered_in.append(QThread.currentThread()))
    task_runner.db(lambda: 1 / 0, on_error=lambda _exc: delivered_in.append(QThread.currentThread()))

    assert task_runner.wait_idle(5000)
    gui_thread = QApplication.instance().thread()
    assert delivered_in == [gui_thread, gui_thread]


def test_keyword_arguments_reach_the_function(task_runner: TaskRunner) -> None:
    results = []
    task_runner.db(lambda text, limit=50: (text, limit), "nour", limit=5, on_done=results.append)
    assert task_runner.wait_idle(5000)
    assert results == [("nour", 5)]


def test_domain_error_reaches_on_error_unchanged(task_runner: TaskRunner) -> None:
    refusal = Conflict("booking.not_movable", status="completed")
    errors: list[BaseException] = []

    def refuse() -> None:
        raise refusal

    task_runner.db(refuse, on_done=lambda _v: pytest.fail("on_done must not run"), on_error=errors.append)
    assert task_runner.wait_idle(5000)
    assert errors == [refusal]


def test_unexpected_exception_is_logged_with_traceback_and_delivered(
    task_runner: TaskRunner, caplog: pytest.LogCaptureFixture
) -> None:
    errors: list[BaseException] = []
    with caplog.at_level(logging.ERROR, logger="salon_desk.ui.tasks"):
        task_runner.db(lambda: {}["missing"], on_error=errors.append)
        assert task_runner.wait_idle(5000)

    assert len(errors) == 1 and isinstance(errors[0], KeyError)
    failures = [r for r in caplog.records if r.exc_info and r.exc_info[0] is KeyError]
    assert failures, "the unexpected error was not logged with its traceback"


def test_failure_without_handler_is_emitted_as_task_failed(qtbot, task_runner: TaskRunner) -> None:
    with qtbot.waitSignal(task_runner.task_failed, timeout=5000) as blocker:
        task_runner.db(lambda: 1 / 0)
    assert isinstance(blocker.args[0], ZeroDivisionError)


def test_a_raising_callback_is_reported_and_later_jobs_still_run(qtbot, task_runner: TaskRunner) -> None:
    def broken_callback(_value: object) -> None:
        raise RuntimeError("bug in a page")

    later: list[str] = []
    with qtbot.waitSignal(task_runner.task_failed, timeout=5000) as blocker:
        task_runner.db(lambda: 1, on_done=broken_callback)
        task_runner.db(lambda: "next", on_done=later.append)
    assert str(blocker.args[0]) == "bug in a page"
    assert task_runner.wait_idle(5000)
    assert later == ["next"]


def test_callbacks_are_skipped_when_the_owner_was_deleted(task_runner: TaskRunner) -> None:
    owner = QObject()
    called: list[object] = []
    release = threading.Event()
    task_runner.db(release.wait, 5, on_done=called.append, owner=owner)
    owner.deleteLater()
    QApplication.sendPostedEvents(None, QEvent.Type.DeferredDelete)  # deleted before the job finishes
    assert not shiboken6.isValid(owner)
    release.set()
    assert task_runner.wait_idle(5000)
    assert called == []


def test_a_slow_network_job_does_not_hold_up_the_db_lane(task_runner: TaskRunner) -> None:
    release = threading.Event()
    order: list[str] = []
    task_runner.net(lambda: release.wait(5), on_done=lambda _v: order.append("net"))
    task_runner.db(lambda: "db", on_done=lambda v: (order.append(v), release.set()))
    assert task_runner.wait_idle(5000)
    assert order == ["db", "net"]


def test_wait_idle_includes_jobs_submitted_by_callbacks(task_runner: TaskRunner) -> None:
    results: list[str] = []

    def first_done(_value: object) -> None:
        task_runner.db(lambda: "second", on_done=results.append)

    task_runner.db(lambda: "first", on_done=first_done)
    assert task_runner.wait_idle(5000)
    assert results == ["second"]
    assert task_runner.pending == 0


def test_wait_idle_times_out_while_a_job_is_still_running(task_runner: TaskRunner) -> None:
    release = threading.Event()
    task_runner.db(release.wait, 5)
    assert task_runner.wait_idle(50) is False
    release.set()
    assert task_runner.wait_idle(5000)


def test_shutdown_finishes_queued_jobs_then_refuses_new_ones(qapp) -> None:
    runner = TaskRunner()
    ran: list[int] = []
    for n in range(5):
        runner.db(ran.append, n)
    assert runner.shutdown(5000)
    assert ran == [0, 1, 2, 3, 4]
    with pytest.raises(RuntimeError):
        runner.db(ran.append, 99)
