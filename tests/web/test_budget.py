"""The time budget of a search or summary: a call past it is stopped."""

import time

import pytest

from service.web.budget import BudgetExceeded, Watchdog


def busy(seconds):
    end = time.monotonic() + seconds
    spins = 0
    while time.monotonic() < end:
        spins += 1
    return spins


def test_a_call_past_its_budget_is_stopped_and_the_thread_goes_on():
    watchdog = Watchdog(budget_ms=50)
    with pytest.raises(BudgetExceeded) as raised:
        watchdog.run(lambda: busy(30))
    assert raised.value.http_status == 503 and raised.value.code == "over_budget"
    assert "50 ms" in raised.value.message and "server.request_budget_ms" in raised.value.message
    # Nothing fires later in the same thread, and the next calls run normally.
    assert busy(0.2) > 0
    assert watchdog.run(lambda: "done") == "done"


def test_calls_within_the_budget_are_not_touched():
    watchdog = Watchdog(budget_ms=2000)
    assert [watchdog.run(lambda n=n: n * 2) for n in range(200)] == [n * 2 for n in range(200)]
    assert busy(0.1) > 0


def test_no_budget_runs_the_call_as_it_is():
    assert Watchdog(budget_ms=0).run(lambda: busy(0.05)) > 0


def test_a_search_stopped_by_the_budget_leaves_the_engine_usable(seed_engine):
    watchdog = Watchdog(budget_ms=1)
    stopped = 0
    for _ in range(20):
        try:
            watchdog.run(lambda: [seed_engine.search("医保 资金", k=10, facets=True) for _ in range(50)])
        except BudgetExceeded:
            stopped += 1
    assert stopped > 0
    assert seed_engine.search("医保", k=3).total == seed_engine.search("医保", k=3).total > 0


def test_an_uninterrupted_stretch_ends_before_the_budget_stops_the_call():
    from service.shield import uninterrupted

    finished = []

    def shared_work():
        with uninterrupted():
            busy(0.3)  # well past the budget
            finished.append(True)
        busy(30)

    with pytest.raises(BudgetExceeded):
        Watchdog(budget_ms=20).run(shared_work)
    assert finished == [True]


def test_an_interruption_reported_by_c_code_as_its_own_error_is_the_budget():
    # CPython's compiler, met by the interruption inside it, reports it as its own SystemError ("AST constructor
    # recursion depth mismatch"): whatever the stopped call raises once the budget has fired is the budget's 503.
    def compiled():
        try:
            busy(30)
        except BaseException as interruption:
            raise SystemError("AST constructor recursion depth mismatch") from interruption

    with pytest.raises(BudgetExceeded):
        Watchdog(budget_ms=20).run(compiled)
    # Before the budget fires, such an error is the call's own.
    def its_own_error():
        raise SystemError("its own")

    with pytest.raises(SystemError):
        Watchdog(budget_ms=5000).run(its_own_error)
