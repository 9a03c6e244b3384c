"""`GET /metrics`: what the server has answered and what its index holds, in Prometheus's text format (0.0.4).

Counts come from memory all workers share (`shared.py`), so any worker's answer covers the whole server; the
index figures are read by the worker that answers, from the store and index on disk.
"""

from __future__ import annotations

import math
import re
from collections import defaultdict

from flask import Response

from .access_log import answered
from .defences import ServerState

LATENCY_BUCKETS = (0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 10.0, math.inf)

HELP = {
    "jiansuo_http_requests_total": ("counter", "requests answered by the app, by endpoint and status"),
    "jiansuo_http_request_duration_seconds": ("histogram", "time from a request's arrival at the app to the "
                                                           "end of its answer, by endpoint"),
    "jiansuo_http_errors_total": ("counter", "answers with a 5xx status, by endpoint"),
    "jiansuo_rejected_total": ("counter", "requests and connections refused to protect the server, by reason"),
    "jiansuo_metrics_dropped_total": ("counter", "counts not kept because the shared counter table was full"),
}


def _le(bound: float) -> str:
    return "+Inf" if bound == math.inf else repr(bound)


class RecordRequests:
    """WSGI middleware counting each answer and its latency under the endpoint the app matched."""

    def __init__(self, app, state: ServerState):
        self.app, self.state = app, state

    def __call__(self, environ, start_response):
        return answered(self.app, environ, start_response,
                        lambda code, seconds: self.record(environ.get("jiansuo.endpoint", "other"), code or "000",
                                                          seconds))

    def record(self, endpoint: str, code: str, seconds: float) -> None:
        series = {f'jiansuo_http_requests_total{{endpoint="{endpoint}",status="{code}"}}': 1.0,
                  f'jiansuo_http_request_duration_seconds_sum{{endpoint="{endpoint}"}}': seconds,
                  f'jiansuo_http_request_duration_seconds_count{{endpoint="{endpoint}"}}': 1.0}
        for bound in LATENCY_BUCKETS:
            if seconds <= bound:
                series[f'jiansuo_http_request_duration_seconds_bucket{{endpoint="{endpoint}",le="{_le(bound)}"}}'] = 1.0
        if code.startswith("5"):
            series[f'jiansuo_http_errors_total{{endpoint="{endpoint}"}}'] = 1.0
        self.state.counters.add_many(series)


_LE = re.compile(r',le="([^"]+)"')


def _order(item: tuple[str, float]) -> tuple:
    """Series in name order, a histogram's buckets by their bound (Prometheus reads them in that order)."""
    series = item[0]
    found = _LE.search(series)
    bound = math.inf if found is None or found.group(1) == "+Inf" else float(found.group(1))
    return _LE.sub("", series), bound


def _family(series: str) -> str:
    name = series.split("{", 1)[0]
    for suffix in ("_bucket", "_sum", "_count"):
        if name.endswith(suffix) and name[: -len(suffix)] in HELP:
            return name[: -len(suffix)]
    return name


def render(state: ServerState, engine) -> str:
    counts = state.counters.snapshot()
    # A bucket no request fell into was never written; a histogram shows every one of its buckets.
    for series in [s for s in counts if s.startswith("jiansuo_http_request_duration_seconds_count")]:
        labels = series[series.index("{") + 1:-1]
        for bound in LATENCY_BUCKETS:
            counts.setdefault(f'jiansuo_http_request_duration_seconds_bucket{{{labels},le="{_le(bound)}"}}', 0.0)
    families: dict[str, list[tuple[str, float]]] = defaultdict(list)
    for series, value in sorted(counts.items(), key=_order):
        families[_family(series)].append((series, value))
    lines = []
    for family, members in families.items():
        kind, text = HELP.get(family, ("counter", family))
        lines += [f"# HELP {family} {text}", f"# TYPE {family} {kind}"]
        lines += [f"{series} {value:g}" if value == int(value) else f"{series} {value!r}" for series, value in members]
    stats = engine.stats()
    lines += ["# HELP jiansuo_articles articles in the archive", "# TYPE jiansuo_articles gauge",
              f"jiansuo_articles {stats['articles']}",
              "# HELP jiansuo_index_generation_info the live index generation", "# TYPE jiansuo_index_generation_info gauge",
              f'jiansuo_index_generation_info{{generation="{stats["index_generation"] or ""}"}} 1',
              "# HELP jiansuo_index_bytes size of the live index generation on disk",
              "# TYPE jiansuo_index_bytes gauge", f"jiansuo_index_bytes {stats['index_bytes']}",
              "# HELP jiansuo_index_current 1 when the index holds the article store as it is, else 0",
              "# TYPE jiansuo_index_current gauge", f"jiansuo_index_current {int(bool(stats['index_current']))}",
              "# HELP jiansuo_index_lag store revisions the index does not hold yet (a write stopped half-way, or "
              "running)", "# TYPE jiansuo_index_lag gauge", f"jiansuo_index_lag {stats['index_lag']}"]
    return "\n".join(lines) + "\n"


def metrics_response(state: ServerState, engine) -> Response:
    return Response(render(state, engine), mimetype="text/plain", content_type="text/plain; version=0.0.4; "
                                                                                 "charset=utf-8")
