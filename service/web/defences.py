"""What one client may take from the server: a token bucket per address, a throttle on wrong admin tokens, and a
time budget for each search and summary. The state lives in memory all worker processes share (`shared.py`),
made once before they are forked (`ServerState`), so a client is held to one allowance whichever worker
answers it."""

from __future__ import annotations

import ipaddress
import os
import threading
import time

from flask import g, request

from ..config import Config
from ..errors import JiansuoError
from .budget import Watchdog
from .shared import SharedCounters, SharedMemory, TokenBuckets, retry_after

# Cheap answers a monitor or a browser needs whatever the client has spent: never rate limited.
UNLIMITED_ENDPOINTS = frozenset({"static", "api.healthz", "metrics"})


class RateLimited(JiansuoError):
    code = "rate_limited"
    http_status = 429

    def __init__(self, message: str, wait_seconds: float, *, code: str | None = None):
        super().__init__(message, code=code)
        self.retry_after = retry_after(wait_seconds)


class ServerState:
    """Counters, token buckets and the budget watchdog of one server, shared by its workers."""

    def __init__(self, config: Config):
        self.config = config
        self.memory = SharedMemory(4 << 20)
        self.counters = SharedCounters(self.memory)
        self.api_buckets = None
        if config.server_rate_limit_per_second > 0:
            self.api_buckets = TokenBuckets(self.memory, config.server_rate_limit_per_second,
                                            config.server_rate_limit_burst)
        per_minute = config.server_admin_failures_per_minute
        self.admin_buckets = TokenBuckets(self.memory, per_minute / 60, per_minute)
        self.watchdog = Watchdog(config.server_request_budget_ms)
        self.heavy_lane = HeavyLane(config.server_heavy_at_once or max(1, config.server_threads - 1))

    def reject(self, reason: str) -> None:
        self.counters.add(f'jiansuo_rejected_total{{reason="{reason}"}}')


def is_loopback(address: str) -> bool:
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return False
    mapped = getattr(ip, "ipv4_mapped", None)
    return (mapped or ip).is_loopback


def client_address() -> str:
    return request.remote_addr or "-"


class Busy(JiansuoError):
    code = "busy"
    http_status = 503

    def __init__(self, message: str):
        super().__init__(message)
        self.retry_after = "1"


# Requests whose work grows with what the client sends: a posted text to summarise, a search explained. Each
# worker runs a few of these at once and refuses more at once (a waiting request would hold a thread too), so
# one client sending them back to back over several connections leaves a thread for everyone's cheap requests,
# even from the same address (behind a proxy every client has one).
# An export is heavy too: it ranks every match and reads every hit, for as long as the download lasts.
HEAVY_ENDPOINTS = frozenset({"api.summarize", "api.export"})
SEARCH_ENDPOINTS = frozenset({"api.search", "pages.search"})


def is_heavy() -> bool:
    if request.endpoint in HEAVY_ENDPOINTS:
        return True
    if request.endpoint not in SEARCH_ENDPOINTS:
        return False
    return request.args.get("explain", "").lower() in ("1", "true", "yes")


class HeavyLane:
    """At most `size` heavy requests at once in this worker process (made anew after a fork)."""

    def __init__(self, size: int):
        self.size = size
        self._pid = None
        self._slots: threading.BoundedSemaphore | None = None

    def try_enter(self) -> bool:
        if self._pid != os.getpid():
            self._pid, self._slots = os.getpid(), threading.BoundedSemaphore(self.size)
        return self._slots.acquire(blocking=False)

    def leave(self) -> None:
        self._slots.release()


def install(app, state: ServerState) -> None:
    """Admit each request against its address's bucket before it runs; charge what it cost after."""
    config = state.config

    @app.before_request
    def admit():
        request.environ["jiansuo.endpoint"] = request.endpoint or "other"
        if is_heavy():
            if not state.heavy_lane.try_enter():
                state.reject("busy")
                raise Busy(f"the server is running {state.heavy_lane.size} heavy request(s) (a summary of posted "
                           "text, an explained search) in this worker already (server.heavy_at_once); "
                           "retry after the Retry-After header's seconds")
            g.heavy = True
        buckets = state.api_buckets
        address = client_address()
        if buckets is None or request.endpoint in UNLIMITED_ENDPOINTS:
            return
        if is_loopback(address) and not config.server_rate_limit_loopback:
            return
        wait = buckets.wait_seconds(address)
        if wait > 0:
            state.reject("rate_limited")
            raise RateLimited(f"too many requests from {address}: the allowance is "
                              f"{config.server_rate_limit_per_second:g} a second (server.rate_limit_per_second), "
                              "expensive ones counting for more; retry after the Retry-After header's seconds", wait)
        g.charge = (address, time.perf_counter())

    @app.teardown_request
    def charge(_error=None):
        settle(state, g.pop("heavy", False), g.pop("charge", None))


def settle(state: ServerState, heavy: bool, charged: tuple[str, float] | None) -> None:
    """Give back a request's heavy-lane slot and charge its address for the time it took."""
    if heavy:
        state.heavy_lane.leave()
    if charged is not None:
        address, started = charged
        spent_ms = (time.perf_counter() - started) * 1000
        state.api_buckets.charge(address, max(1.0, spent_ms / state.config.server_rate_limit_cost_ms))


def held_until_closed(state: ServerState):
    """For a streamed answer: what the request holds (its heavy-lane slot) and owes (its time) is settled when
    the stream is closed, not when the view returns, so a long download counts for all of its length. The
    returned function settles it, once."""
    heavy, charged = g.pop("heavy", False), g.pop("charge", None)
    done = []

    def release() -> None:
        if not done:
            done.append(True)
            settle(state, heavy, charged)
    return release


def check_admin_attempt(state: ServerState) -> None:
    """Refuse every admin attempt from an address that has sent too many wrong tokens lately."""
    wait = state.admin_buckets.wait_seconds(client_address())
    if wait > 0:
        state.reject("admin_token_throttled")
        raise RateLimited(f"too many wrong admin tokens from {client_address()}: at most "
                          f"{state.config.server_admin_failures_per_minute} a minute "
                          "(server.admin_failures_per_minute); retry after the Retry-After header's seconds",
                          wait, code="too_many_token_attempts")


def record_wrong_token(state: ServerState) -> None:
    state.admin_buckets.charge(client_address(), 1)
