"""Counters and token buckets shared by the worker processes of one server."""

import os

import pytest

from service.web.shared import SharedCounters, SharedMemory, TokenBuckets, retry_after


@pytest.mark.skipif(not hasattr(os, "fork"), reason="forks a process")
def test_counts_added_in_a_forked_process_are_seen_by_its_parent():
    memory = SharedMemory(1 << 20)
    counters = SharedCounters(memory, slots=64)
    counters.add("a_total")
    pid = os.fork()
    if pid == 0:  # the child: add, then leave at once
        try:
            for _ in range(100):
                counters.add_many({"a_total": 1.0, 'b_total{x="1"}': 2.0})
        finally:
            os._exit(0)
    _, status = os.waitpid(pid, 0)
    assert status == 0
    assert counters.snapshot() == {"a_total": 101.0, 'b_total{x="1"}': 200.0}


def test_a_full_counter_table_says_what_it_dropped():
    counters = SharedCounters(SharedMemory(1 << 20), slots=4)
    for number in range(10):
        counters.add(f"c{number}_total")
    counts = counters.snapshot()
    assert len(counts) == 5 and counts.get("jiansuo_metrics_dropped_total", 0) + sum(
        v for k, v in counts.items() if k != "jiansuo_metrics_dropped_total") == 10


def test_a_bucket_lets_a_burst_through_then_the_rate_and_goes_into_debt_for_expensive_requests():
    buckets = TokenBuckets(SharedMemory(1 << 20), rate=2.0, burst=3.0, slots=16)
    for _ in range(3):
        assert buckets.wait_seconds("10.0.0.1", now=100.0) == 0
        buckets.charge("10.0.0.1", 1, now=100.0)
    assert buckets.wait_seconds("10.0.0.1", now=100.0) == pytest.approx(0.5)
    assert buckets.wait_seconds("10.0.0.2", now=100.0) == 0  # another address has its own bucket
    assert buckets.wait_seconds("10.0.0.1", now=100.5) == 0
    buckets.charge("10.0.0.1", 11, now=100.5)  # an expensive request: ten tokens of debt
    assert buckets.wait_seconds("10.0.0.1", now=100.5) == pytest.approx(5.5)
    assert retry_after(5.5) == "6" and retry_after(0.01) == "1"


def test_an_idle_full_bucket_gives_its_slot_to_a_new_address():
    buckets = TokenBuckets(SharedMemory(1 << 20), rate=1.0, burst=2.0, slots=2)
    buckets.charge("a", 2, now=0.0)
    buckets.charge("b", 2, now=0.0)
    assert buckets.wait_seconds("c", now=0.0) == 0
    buckets.charge("c", 2, now=10.0)  # a and b are full again by then
    assert buckets.wait_seconds("c", now=10.0) == pytest.approx(1.0)
