"""The one "debounce, newest answer wins" helper, on a real task runner."""

from __future__ import annotations

from salon_desk.ui.latest import Latest
from salon_desk.ui.tasks import TaskRunner


def test_a_pause_merges_requests_and_only_the_last_one_runs(qtbot, task_runner: TaskRunner) -> None:
    ran: list[str] = []
    answers: list[str] = []
    latest = Latest(task_runner, delay_ms=30)

    def search(text: str) -> str:
        ran.append(text)
        return text.upper()

    for text in ("n", "no", "nou"):
        latest.request(search, text, on_done=answers.append)
    assert latest.waiting and ran == []
    qtbot.waitUntil(lambda: answers == ["NOU"])
    assert task_runner.wait_idle(5000) and ran == ["nou"]


def test_an_older_answer_arriving_after_a_newer_question_is_dropped(qtbot, task_runner: TaskRunner) -> None:
    answers: list[str] = []
    latest = Latest(task_runner)
    latest.run_now(str.upper, "first", on_done=answers.append)  # on the lane, its answer not delivered yet
    latest.run_now(str.upper, "second", on_done=answers.append)
    assert task_runner.wait_idle(5000)
    assert answers == ["SECOND"]


def test_errors_reach_the_newest_handler_only_and_cancel_drops_everything(qtbot, task_runner: TaskRunner) -> None:
    failures: list[str] = []
    answers: list[str] = []
    latest = Latest(task_runner)

    def fail(text: str) -> str:
        raise ValueError(text)

    latest.run_now(fail, "old", on_error=lambda exc: failures.append(str(exc)))
    latest.run_now(fail, "new", on_error=lambda exc: failures.append(str(exc)))
    assert task_runner.wait_idle(5000) and failures == ["new"]
    latest.run_now(str.upper, "gone", on_done=answers.append)
    latest.cancel()
    latest.request(str.upper, "never", on_done=answers.append)
    latest.cancel()
    assert not latest.waiting
    assert task_runner.wait_idle(5000) and answers == []


def test_nothing_is_asked_once_the_runner_shut_down(qtbot) -> None:
    runner = TaskRunner()
    latest = Latest(runner)
    assert runner.shutdown()
    latest.run_now(str.upper, "closing", on_done=lambda _answer: None)  # quietly nothing, no error
    assert runner.pending == 0
